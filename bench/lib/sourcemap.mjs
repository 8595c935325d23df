// Maps a position in a built file back to its source through the file's .map (source map v3),
// so the profile summary names src/server/... instead of dist/server/cli.js:2070.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...B64].map((c, i) => [c, i]));

/** Decodes one VLQ segment ("AAgBC") to its numbers. */
function decodeSegment(text) {
  const out = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** Reads `file.map`; returns `lookup(line0, column0) -> {source, line}` (1-based line) or null. */
export function loadSourceMap(file, root) {
  const mapFile = `${file}.map`;
  if (!existsSync(mapFile)) return null;
  const map = JSON.parse(readFileSync(mapFile, 'utf8'));
  const base = resolve(dirname(file), map.sourceRoot ?? '');
  const sources = map.sources.map((s) => relative(root, join(base, s)));
  // lines[i] = [[column, sourceIndex, sourceLine], ...] in column order
  const lines = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  for (const lineText of map.mappings.split(';')) {
    let col = 0;
    const segments = [];
    for (const segText of lineText.split(',')) {
      if (segText === '') continue;
      const seg = decodeSegment(segText);
      col += seg[0];
      if (seg.length >= 4) {
        src += seg[1];
        srcLine += seg[2];
        srcCol += seg[3];
        segments.push([col, src, srcLine]);
      }
    }
    lines.push(segments);
  }
  return (line0, column0) => {
    const segments = lines[line0];
    if (!segments || segments.length === 0) return null;
    let found = segments[0];
    for (const seg of segments) {
      if (seg[0] > column0) break;
      found = seg;
    }
    return { source: sources[found[1]], line: found[2] + 1 };
  };
}
