/**
 * Keeps the full-screen (mobile) messenger above the on-screen keyboard. Mobile browsers shrink
 * the visual viewport, not the layout viewport, when the keyboard opens (iOS Safari always), so a
 * `position: fixed; bottom: 0` composer would sit behind the keyboard. The visual viewport's
 * height and offset become `--rd-vv-height` / `--rd-vv-top` on `target`, which styles.css uses
 * under 480 px. Returns the function that stops tracking.
 */
export function trackVisualViewport(target: HTMLElement): () => void {
  const viewport = target.ownerDocument.defaultView?.visualViewport;
  if (!viewport) return () => {};
  const update = () => {
    target.style.setProperty('--rd-vv-height', `${viewport.height}px`);
    target.style.setProperty('--rd-vv-top', `${viewport.offsetTop}px`);
  };
  update();
  viewport.addEventListener('resize', update);
  viewport.addEventListener('scroll', update);
  return () => {
    viewport.removeEventListener('resize', update);
    viewport.removeEventListener('scroll', update);
  };
}
