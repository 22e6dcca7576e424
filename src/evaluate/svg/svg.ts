// The smallest SVG toolkit the HTML report needs: escaping, an element builder, linear scales and
// "nice" axis ticks. Strings in, strings out, no DOM, so reports render in Node and in tests alike.

/** Escapes text for element content and double-quoted attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

export type Attrs = Readonly<Record<string, string | number | undefined>>;

/**
 * One element as text. Attribute values are escaped; `children` is trusted markup (already built
 * by `el` or escaped by the caller). Numbers are written with at most two decimals: a chart
 * coordinate needs no more, and it keeps a 2,000-point scatter plot small.
 */
export function el(tag: string, attrs: Attrs = {}, children: string | readonly string[] = ''): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : escapeXml(v!)}"`)
    .join('');
  const body = typeof children === 'string' ? children : children.join('');
  return body === '' ? `<${tag}${a}/>` : `<${tag}${a}>${body}</${tag}>`;
}

/** A coordinate as short text: two decimals, trailing zeros dropped. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const r = Math.round(v * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
}

/** A linear map from a data domain onto a pixel range (the range may run backwards, as y does). */
export interface Scale {
  (v: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  // A degenerate domain (every value equal) maps to the middle rather than dividing by zero.
  const span = d1 - d0;
  const f = ((v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0))) as Scale;
  Object.defineProperty(f, 'domain', { value: [d0, d1] });
  Object.defineProperty(f, 'range', { value: [r0, r1] });
  return f;
}

/** About `count` round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  if (lo > hi) [lo, hi] = [hi, lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  for (let i = first; i <= last; i++) ticks.push(roundTo(i * step, step));
  return ticks;
}

/** [lo, hi] widened to the nearest ticks outside it, so data never sits on the plot's edge. */
export function niceDomain(lo: number, hi: number, count = 5): [number, number] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) return lo === 0 ? [-1, 1] : [lo - Math.abs(lo) * 0.1, hi + Math.abs(hi) * 0.1];
  const ticks = niceTicks(lo, hi, count);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : (hi - lo) / count;
  const a = ticks[0]! > lo ? ticks[0]! - step : ticks[0]!;
  const b = ticks[ticks.length - 1]! < hi ? ticks[ticks.length - 1]! + step : ticks[ticks.length - 1]!;
  return [roundTo(a, step), roundTo(b, step)];
}

/** A tick label: short, without float noise (0.30000000000000004 -> 0.3). */
export function tickLabel(v: number): string {
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}

function roundTo(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(decimals, 15)));
}

/** A qualitative palette that stays distinguishable for the common colour-vision deficiencies. */
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'] as const;

export function colour(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}
