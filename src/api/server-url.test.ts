import { afterEach, describe, expect, it } from 'vitest';
import { scriptOrigin, websocketUrl } from './server-url';

function script(src: string): HTMLScriptElement {
  // Not appended through innerHTML: happy-dom would otherwise try to load it.
  const element = document.createElement('script');
  element.setAttribute('src', src);
  element.type = 'text/plain';
  document.head.append(element);
  return element;
}

afterEach(() => document.head.replaceChildren());

describe('scriptOrigin', () => {
  it("is the origin of the current script's src", () => {
    expect(scriptOrigin(document, script('https://chat.example.com/static/messenger.js?v=2'))).toBe('https://chat.example.com');
  });

  it('falls back to the last script whose path ends in messenger.js, then to the page origin', () => {
    script('https://cdn.example.net/analytics.js');
    expect(scriptOrigin(document, null)).toBe(location.origin);
    script('https://chat.example.com/messenger.js');
    script('https://other.example.org/app.js');
    expect(scriptOrigin(document, null)).toBe('https://chat.example.com');
  });
});

describe('websocketUrl', () => {
  it('maps http to ws and https to wss, encodes the query, and keeps a path prefix', () => {
    expect(websocketUrl('https://chat.example.com/', 'acme', 'acme-demo')).toBe(
      'wss://chat.example.com/ws?organization=acme&endpoint=acme-demo',
    );
    expect(websocketUrl('http://127.0.0.1:8080/roundel/', 'a&b', 'c d/e')).toBe(
      'ws://127.0.0.1:8080/roundel/ws?organization=a%26b&endpoint=c%20d%2Fe',
    );
  });
});
