// The plain-text metrics table `soma train` and `soma evaluate` print: one row per metric, one
// column per split. No colour and no terminal codes here; the CLI decorates the lines it gets.

/** Metrics per split, e.g. `{train: {accuracy: 0.98}, validation: {...}, test: {...}}`. */
export type MetricsBySplit = Readonly<Record<string, Readonly<Record<string, number>> | undefined>>;

export interface MetricsTableOptions {
  /** Rows to show, in this order; default: every metric, in first-seen order. */
  readonly metrics?: readonly string[];
  /** Columns to show, in this order; default: train, validation, test, then any other split. */
  readonly splits?: readonly string[];
}

/** Splits in the order a reader expects them, whatever order the record was built in. */
const SPLIT_ORDER = ['train', 'validation', 'test'];

/**
 * One cell: four decimals for ordinary magnitudes, four significant digits in exponent form for
 * very large or very small ones (a MAPE over a zero target reaches 1e14, and 0.0000 would hide a
 * tiny but non-zero loss); "-" for a metric the split does not have.
 */
export function formatMetricValue(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  const abs = Math.abs(value);
  if (abs === 0 || (abs >= 1e-4 && abs < 1e6)) return value.toFixed(4);
  return value.toExponential(3);
}

/**
 * The table as lines joined by "\n" (no trailing newline): a header row, then one row per
 * metric. The metric column is left-aligned, value columns right-aligned so the decimal points
 * line up.
 */
export function renderMetricsTable(bySplit: MetricsBySplit, options: MetricsTableOptions = {}): string {
  const splits = options.splits ?? defaultSplits(bySplit);
  const metrics = options.metrics ?? defaultMetrics(bySplit, splits);

  const header = ['metric', ...splits];
  const rows = metrics.map((m) => [m, ...splits.map((s) => formatMetricValue(bySplit[s]?.[m]))]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));

  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[c]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function defaultSplits(bySplit: MetricsBySplit): string[] {
  const present = Object.keys(bySplit).filter((s) => bySplit[s] !== undefined);
  const known = SPLIT_ORDER.filter((s) => present.includes(s));
  return [...known, ...present.filter((s) => !SPLIT_ORDER.includes(s))];
}

function defaultMetrics(bySplit: MetricsBySplit, splits: readonly string[]): string[] {
  const seen: string[] = [];
  for (const s of splits) {
    for (const m of Object.keys(bySplit[s] ?? {})) if (!seen.includes(m)) seen.push(m);
  }
  return seen;
}
