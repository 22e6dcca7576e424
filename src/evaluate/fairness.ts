// Group fairness on a labelled split (the seeds' bias detection): metrics per group of a sensitive
// column, and the two gaps fairlearn popularised, computed per positive class:
// - demographic parity difference: max - min over groups of the selection rate P(pred = c);
// - equal opportunity difference: max - min over groups of the true-positive rate P(pred = c | y = c).
// Binary tasks use the positive class (index 1); multiclass tasks take every class one-vs-rest and
// report the largest gap with the class it belongs to.
//
// A group is flagged when its selection rate or true-positive rate for some class is more than
// `threshold` below the best group's: the gap is in the same units as the differences above, so
// one number configures both (soma's `evaluate.fairness_threshold`, default 0.1).
// Every task gets its family's group metrics per group (accuracy, balanced accuracy and F1; or
// mae, rmse and r2); parity gaps are defined for class targets only.

import type { Task } from '../tasks/task.js';
import { computeMetrics, metricFamily } from './metrics/index.js';

export interface FairnessInput {
  /** The sensitive column's name (for the report). */
  column: string;
  /** Group index per row, 0..groupNames.length-1. */
  groups: Int32Array;
  groupNames: readonly string[];
  task: Task;
  /** Class indices (classification) or values (regression). */
  yTrue: Float64Array;
  yPred: Float64Array;
  /** Class labels in model order (classification). */
  classes?: readonly string[];
  threshold: number;
}

export interface GroupResult {
  group: string;
  rows: number;
  /** The task's group metrics: accuracy, balanced_accuracy and f1_macro, or mae, rmse and r2 (undefined ones left out). */
  metrics: Record<string, number>;
  /** P(pred = c) per positive class label (classification). */
  selection_rate?: Record<string, number>;
  /** P(pred = c | y = c) per positive class label; null when the group has no row of class c. */
  true_positive_rate?: Record<string, number | null>;
}

export interface Gap {
  value: number;
  /** The positive class whose gap this is. */
  class: string;
  /** Groups with the highest and the lowest rate. */
  highest: string;
  lowest: string;
}

export interface FlaggedGroup {
  group: string;
  reasons: string[];
}

export interface FairnessResult {
  column: string;
  groups: GroupResult[];
  demographic_parity_difference: Gap | null;
  equal_opportunity_difference: Gap | null;
  flagged: FlaggedGroup[];
}

export function fairness(input: FairnessInput): FairnessResult {
  const { groups, groupNames, yTrue, yPred, task } = input;
  const n = yTrue.length;
  if (groups.length !== n || yPred.length !== n) throw new RangeError(`fairness: ${groups.length} group codes, ${n} labels and ${yPred.length} predictions (expected equal lengths)`);
  if (!(input.threshold >= 0)) throw new RangeError(`fairness: threshold must be >= 0 (got ${input.threshold})`);
  const g = groupNames.length;

  // Row indices per group, built once.
  const sizes = new Int32Array(g);
  for (let i = 0; i < n; i++) {
    const code = groups[i]!;
    if (code < 0 || code >= g) throw new RangeError(`fairness: group code ${code} at row ${i} is outside 0..${g - 1}`);
    sizes[code]!++;
  }
  const members = Array.from({ length: g }, (_, k) => new Int32Array(sizes[k]!));
  const fill = new Int32Array(g);
  for (let i = 0; i < n; i++) members[groups[i]!]![fill[groups[i]!]!++] = i;

  const family = metricFamily(task);
  const parity = hasParity(family.target);
  const classes = input.classes ?? [];
  const k = classes.length;
  const positives = parity ? (k === 2 ? [1] : Array.from({ length: k }, (_, c) => c)) : [];
  const results: GroupResult[] = [];
  for (let q = 0; q < g; q++) {
    const rows = members[q]!;
    if (rows.length === 0) continue;
    const yt = new Float64Array(rows.length);
    const yp = new Float64Array(rows.length);
    for (let j = 0; j < rows.length; j++) {
      yt[j] = yTrue[rows[j]!]!;
      yp[j] = yPred[rows[j]!]!;
    }
    if (!parity) {
      results.push({ group: groupNames[q]!, rows: rows.length, metrics: computeMetrics(task, { yTrue: yt, yPred: yp }, family.groupMetrics) });
      continue;
    }
    const selection: Record<string, number> = {};
    const tpr: Record<string, number | null> = {};
    for (const c of positives) {
      let predicted = 0;
      let actual = 0;
      let hit = 0;
      for (let j = 0; j < yt.length; j++) {
        if (yp[j] === c) predicted++;
        if (yt[j] === c) {
          actual++;
          if (yp[j] === c) hit++;
        }
      }
      selection[classes[c]!] = predicted / yt.length;
      tpr[classes[c]!] = actual > 0 ? hit / actual : null;
    }
    results.push({
      group: groupNames[q]!,
      rows: rows.length,
      metrics: computeMetrics(task, { yTrue: yt, yPred: yp, nClasses: k }, family.groupMetrics),
      selection_rate: selection,
      true_positive_rate: tpr,
    });
  }

  if (!parity) return { column: input.column, groups: results, demographic_parity_difference: null, equal_opportunity_difference: null, flagged: [] };

  const flags = new Map<string, string[]>();
  const flag = (group: string, reason: string): void => {
    const list = flags.get(group) ?? [];
    list.push(reason);
    flags.set(group, list);
  };
  let dp: Gap | null = null;
  let eo: Gap | null = null;
  for (const c of positives) {
    const label = classes[c]!;
    const sel = results.map((r) => ({ group: r.group, v: r.selection_rate![label]! }));
    const tp = results.flatMap((r) => (r.true_positive_rate![label] === null ? [] : [{ group: r.group, v: r.true_positive_rate![label]! }]));
    const dpc = gap(sel, label);
    const eoc = gap(tp, label);
    if (dpc && (dp === null || dpc.value > dp.value)) dp = dpc;
    if (eoc && (eo === null || eoc.value > eo.value)) eo = eoc;
    const what = positives.length > 1 ? ` for ${label}` : '';
    for (const [name, list] of [['selection rate', sel], ['true-positive rate', tp]] as const) {
      if (list.length < 2) continue;
      const best = list.reduce((a, b) => (b.v > a.v ? b : a));
      for (const r of list) {
        if (best.v - r.v > input.threshold) {
          flag(r.group, `${name}${what} ${r.v.toFixed(3)} is ${(best.v - r.v).toFixed(3)} below ${best.group} (${best.v.toFixed(3)}), more than ${input.threshold}`);
        }
      }
    }
  }
  // Flags in group order, so the report reads like the table above it.
  const flagged = results.filter((r) => flags.has(r.group)).map((r) => ({ group: r.group, reasons: flags.get(r.group)! }));
  return { column: input.column, groups: results, demographic_parity_difference: dp, equal_opportunity_difference: eo, flagged };
}

/** Selection and true-positive rates need predicted classes: value targets have no parity gaps. */
function hasParity(target: 'classes' | 'values'): boolean {
  switch (target) {
    case 'classes':
      return true;
    case 'values':
      return false;
    default:
      return unknownTarget(target);
  }
}

function unknownTarget(target: never): never {
  throw new RangeError(`fairness: no parity rule for ${String(target)} targets`);
}

function gap(list: { group: string; v: number }[], label: string): Gap | null {
  if (list.length < 2) return null;
  let hi = list[0]!;
  let lo = list[0]!;
  for (const r of list) {
    if (r.v > hi.v) hi = r;
    if (r.v < lo.v) lo = r;
  }
  return { value: hi.v - lo.v, class: label, highest: hi.group, lowest: lo.group };
}
