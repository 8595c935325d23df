/**
 * Adds `text` to `root` as a constructable stylesheet: unlike a <style> element it passes a CSP
 * without 'unsafe-inline'. Where there are none (Safari < 16.4, Firefox < 101), a
 * `<style nonce>` first in the shadow root, which a `style-src 'nonce-…'` policy allows. Returns the undo.
 */
export function addStyles(root: ShadowRoot, text: string, nonce: string | undefined): () => void {
  try {
    if (root.adoptedStyleSheets) {
      // The sheet must come from the host document's realm: a sheet constructed in another realm
      // (an iframe's script, a test runner) is refused by adoptedStyleSheets.
      const sheet = new root.ownerDocument.defaultView!.CSSStyleSheet();
      sheet.replaceSync(text);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      return () => {
        root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
      };
    }
  } catch {
    // No CSSStyleSheet constructor or replaceSync (older browsers that have the property): a <style> then.
  }
  const style = root.ownerDocument.createElement('style');
  if (nonce) style.setAttribute('nonce', nonce);
  style.textContent = text;
  root.prepend(style);
  return () => style.remove();
}
