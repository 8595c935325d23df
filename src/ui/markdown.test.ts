import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, parseInline, parseMarkdown, plainText, safeHref, type Inline } from './markdown';

const text = (v: string): Inline => ({ t: 'text', v });

describe('markdown: the safe subset', () => {
  it('bold, italic, code, links, line breaks, bullet and numbered lists', () => {
    expect(parseMarkdown('**Hi** _there_, see `x < y` and [the docs](https://shop.example/docs)\nnext line\n\n- one\n* two\n\n3. three\n4) four')).toEqual([
      {
        t: 'p',
        c: [
          { t: 'strong', c: [text('Hi')] },
          text(' '),
          { t: 'em', c: [text('there')] },
          text(', see '),
          { t: 'code', v: 'x < y' },
          text(' and '),
          { t: 'link', href: 'https://shop.example/docs', c: [text('the docs')] },
          { t: 'br' },
          text('next line'),
        ],
      },
      { t: 'ul', items: [[text('one')], [text('two')]] },
      { t: 'ol', items: [[text('three')], [text('four')]], start: 3 },
    ]);
  });

  it('nests emphasis, makes bare http(s) URLs links, and leaves snake_case and a lone * alone', () => {
    expect(parseInline('**bold _and italic_** at https://a.example/x_y_z. 2 * 3 = snake_case_name')).toEqual([
      { t: 'strong', c: [text('bold '), { t: 'em', c: [text('and italic')] }] },
      text(' at '),
      { t: 'link', href: 'https://a.example/x_y_z', c: [text('https://a.example/x_y_z')] },
      text('. 2 * 3 = snake_case_name'),
    ]);
  });

  it('backslash escapes markers, and code keeps its content literal', () => {
    expect(parseInline('\\*\\*not bold\\*\\* `**not bold either**` \\[x](y)')).toEqual([
      text('**not bold** '),
      { t: 'code', v: '**not bold either**' },
      text(' [x](y)'),
    ]);
  });
});

describe('markdown: hostile input', () => {
  it('never makes a link of another scheme, however it is spelled', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\nscript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox', 'file:///etc/passwd', '//evil.example/x', '/relative', 'mailto:a@b.example']) {
      const nodes = parseInline(`[click](${href})`);
      expect(nodes.some((node) => node.t === 'link' && !/^https?:\/\//.test(node.href)), href).toBe(false);
      expect(plainText([{ t: 'p', c: nodes }]), href).toBe(`[click](${href})`.replace(/\n/, '\n'));
    }
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://a.example/a b')).toBe('https://a.example/a%20b');
  });

  it('keeps unbalanced and stray markers as text', () => {
    for (const input of ['**open', 'close**', '_open', '`open', '[title](x', '[title]', '](x)', '***', '____', '[]()', 'a_b_c', '**', '``', "window.__xss='a' and window.__xss", '__init__ _x__']) {
      expect(plainText(parseMarkdown(input)), input).toBe(input);
      expect(JSON.stringify(parseMarkdown(input)), input).not.toMatch(/"t":"(strong|em|code|link)"/);
    }
    expect(plainText(parseMarkdown('**open _half [x](javascript:y) `tick'))).toBe('**open _half [x](javascript:y) `tick');
    // A `[` inside a title is literal; the inner one starts the link.
    expect(parseInline('[a [b](https://a.example)')).toEqual([text('[a '), { t: 'link', href: 'https://a.example/', c: [text('b')] }]);
  });

  it('puts no link inside a link, and stops nesting emphasis at the depth limit', () => {
    const [link] = parseInline('[see https://b.example **now**](https://a.example)');
    expect(link).toEqual({ t: 'link', href: 'https://a.example/', c: [text('see https://b.example **now**')] });
    let depth = 0;
    const deepest = (nodes: Inline[], level: number): void => {
      for (const node of nodes) {
        if (node.t === 'strong' || node.t === 'em') {
          depth = Math.max(depth, level + 1);
          deepest(node.c, level + 1);
        }
      }
    };
    deepest(parseInline('**_**_**_**_**_x_**_**_**_**_**'), 0);
    expect(depth).toBeLessThanOrEqual(MAX_DEPTH);
  });

  it('handles huge inputs quickly enough to stay in one frame of work per message', () => {
    const inputs = ['**'.repeat(50_000), '_a '.repeat(30_000), '['.repeat(50_000) + '](https://a.example)', '[x](javascript:y)'.repeat(5_000), '`'.repeat(1) + 'x'.repeat(100_000), '- '.repeat(20_000) + '\n'.repeat(20_000)];
    for (const input of inputs) {
      const blocks = parseMarkdown(input);
      // Nothing is lost or invented: the text comes back (whitespace-only lines aside).
      expect(plainText(blocks).replace(/\s+/g, '').length, input.slice(0, 20)).toBeLessThanOrEqual(input.replace(/\s+/g, '').length);
    }
  });

  it('turns no text into markup: tags stay text', () => {
    const blocks = parseMarkdown('<img src=x onerror=alert(1)> **<b>hi</b>**');
    expect(blocks).toEqual([{ t: 'p', c: [text('<img src=x onerror=alert(1)> '), { t: 'strong', c: [text('<b>hi</b>')] }] }]);
  });
});
