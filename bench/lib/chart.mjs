// The chart of docs/benchmarks.md: one SVG of horizontal bar panels drawn from results.json,
// Roundel beside its floor and its peers in every panel. No dependencies.

const COLORS = { roundel: '#0b5cff', floor: '#8a9099', peer: '#e8710a', variant: '#6f9cff' };
const WIDTH = 920;
const LABEL_W = 300;
const BAR_W = 460;
const ROW_H = 22;

/** 1475, 71, 21.5, 4.2: integers from 100 up, one decimal under. */
const fmt = (value) => (value >= 100 ? Math.round(value).toString() : (Math.round(value * 10) / 10).toString());

const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * `panels`: [{ title, unit, log?, rows: [{ label, value, kind: 'roundel'|'floor'|'peer'|'variant', text? }] }].
 * Rows with a null value are drawn as "not measured".
 */
export function barChart(title, panels) {
  const parts = [];
  let y = 40;
  parts.push(`<text x="16" y="26" font-size="17" font-weight="600">${escape(title)}</text>`);
  for (const panel of panels) {
    y += 18;
    parts.push(`<text x="16" y="${y}" font-size="14" font-weight="600">${escape(panel.title)}</text>`);
    y += 8;
    const values = panel.rows.map((r) => r.value).filter((v) => Number.isFinite(v) && v > 0);
    const max = Math.max(...values, 1e-9);
    const min = Math.min(...values, max);
    // A log axis starts one decade under the smallest value so that it still gets a bar.
    const logMin = Math.log10(min) - 1;
    const scale = (v) =>
      panel.log ? (BAR_W * (Math.log10(v) - logMin)) / (Math.log10(max) - logMin || 1) : (BAR_W * v) / max;
    for (const row of panel.rows) {
      const cy = y + ROW_H / 2 + 4;
      parts.push(`<text x="${LABEL_W - 8}" y="${cy}" font-size="12" text-anchor="end">${escape(row.label)}</text>`);
      if (Number.isFinite(row.value) && row.value > 0) {
        const w = Math.max(2, scale(row.value));
        parts.push(`<rect x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW_H - 6}" fill="${COLORS[row.kind]}" rx="2"/>`);
        parts.push(`<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${cy}" font-size="12">${escape(row.text ?? `${fmt(row.value)} ${panel.unit}`)}</text>`);
      } else {
        parts.push(`<text x="${LABEL_W + 4}" y="${cy}" font-size="12" fill="#666">${escape(row.text ?? 'not measured')}</text>`);
      }
      y += ROW_H;
    }
    if (panel.log) {
      parts.push(`<text x="${LABEL_W}" y="${y + 12}" font-size="10" fill="#666">log scale</text>`);
      y += 10;
    }
    y += 8;
  }
  y += 12;
  const legend = [
    ['Roundel', COLORS.roundel],
    ['floor (the physical limit, same run)', COLORS.floor],
    ['peer (same run)', COLORS.peer],
    ['Roundel variant', COLORS.variant],
  ];
  let x = 16;
  for (const [name, color] of legend) {
    parts.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${color}"/>`);
    parts.push(`<text x="${x + 18}" y="${y}" font-size="12">${escape(name)}</text>`);
    x += 34 + name.length * 6.6;
  }
  y += 16;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" fill="#1f2328">
<rect width="100%" height="100%" fill="#ffffff"/>
${parts.join('\n')}
</svg>
`;
}
