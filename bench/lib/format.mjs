// Formatting helpers shared by the report's parts.

export const kib = (bytes) => (bytes / 1024).toFixed(1);
export const mib = (bytes) => (bytes / 1024 / 1024).toFixed(2);
export const num = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
/** 10000 -> 10,000 */
export const count = (n) => n.toLocaleString('en-US');
export const times = (value) => (Number.isFinite(value) ? `${value}×` : '–');
/** A scenario that ran (not skipped, not failed). */
export const ok = (section) => section && !section.skipped && !section.error;
export const why = (section) => (section?.skipped ? `skipped: ${section.skipped}` : `failed: ${section?.error ?? 'not run'}`);

export const LABELS = { roundel: 'Roundel', floor: 'floor (bare ws)', socketio: 'Socket.IO' };

/** A Markdown table. */
export const table = (head, rows) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
