import { h, type ComponentChildren } from 'preact';
import { parseMarkdown, type Block, type Inline } from '../markdown';

/** Element and text nodes for inline nodes: text is always a text node, never markup. */
function inline(nodes: readonly Inline[]): ComponentChildren[] {
  return nodes.map((node) => {
    switch (node.t) {
      case 'text':
        return node.v;
      case 'br':
        return <br />;
      case 'code':
        return <code>{node.v}</code>;
      case 'strong':
        return <strong>{inline(node.c)}</strong>;
      case 'em':
        return <em>{inline(node.c)}</em>;
      case 'link':
        // A new tab without `window.opener` or a referrer.
        return (
          <a href={node.href} target="_blank" rel="noopener noreferrer">
            {inline(node.c)}
          </a>
        );
    }
  });
}

function block(node: Block) {
  if (node.t === 'p') return <p>{inline(node.c)}</p>;
  const items = node.items.map((item) => <li>{inline(item)}</li>);
  return node.t === 'ul' ? <ul>{items}</ul> : <ol start={node.start === 1 ? undefined : node.start}>{items}</ol>;
}

/** A bot's or an agent's text in the safe Markdown subset (markdown.ts). */
export function Markdown({ text }: { text: string }) {
  return <div class="rd-md">{parseMarkdown(text).map(block)}</div>;
}
