// `polynomial`: products of numeric columns up to `degree` (2 or 3), appended after the inputs:
// `a*b`, and unless `interaction_only`, powers such as `a^2`. Missing inputs give missing products.

import { checkDenseOutput } from './budget.js';
import { SomaError } from '../errors.js';
import { Frame, type Column } from '../data/frame.js';
import type { JsonObject } from '../util/json.js';
import { columnSelectorSchema, parseSelector, resolveColumns, type ColumnSelector } from './columns.js';
import { checkDensify, numeric, valuesOf } from './frames.js';
import { boolParam, numberParam, stateOf } from './params.js';
import type { StepJSON, StepSpec, Transformer } from './transformer.js';

/** More output columns than this is almost always a mistake (and a lot of memory). */
const MAX_TERMS = 2000;

export class Polynomial implements Transformer {
  readonly step = 'polynomial';
  private readonly selector: ColumnSelector;
  private readonly degree: number;
  private readonly interactionOnly: boolean;
  private columns: string[] = [];

  constructor(readonly params: JsonObject) {
    this.selector = parseSelector(params['columns'], 'numeric');
    this.degree = numberParam(params, polynomialSpec, 'degree');
    this.interactionOnly = boolParam(params, polynomialSpec, 'interaction_only');
  }

  fit(frame: Frame): void {
    this.columns = resolveColumns(frame, this.selector, ['numeric'], 'polynomial');
    // Counted, not listed: listing 1,000 columns' degree-3 terms would itself take gigabytes.
    const n = this.termCount();
    if (n > MAX_TERMS) {
      throw new SomaError('CONFIG_INVALID', `preprocess polynomial: ${this.columns.length} columns at degree ${this.degree} make ${n} terms (at most ${MAX_TERMS})`, {
        hint: 'name fewer columns, or set interaction_only: true / degree: 2',
      });
    }
    checkDenseOutput('polynomial', n, frame.rows, `${this.columns.length} columns at degree ${this.degree} (${n} products)`, 'name fewer columns, or set interaction_only: true / degree: 2');
  }

  /** How many terms terms() lists: multisets (or, interaction only, sets) of 2..degree columns. */
  private termCount(): number {
    const p = this.columns.length;
    const choose = (n: number, k: number): number => {
      let r = 1;
      for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
      return Math.round(r);
    };
    let n = 0;
    for (let d = 2; d <= this.degree; d++) n += this.interactionOnly ? choose(p, d) : choose(p + d - 1, d);
    return n;
  }

  /** Index tuples of the product terms, non-decreasing so each product appears once. */
  private terms(): number[][] {
    const out: number[][] = [];
    const p = this.columns.length;
    const rec = (start: number, acc: number[]): void => {
      if (acc.length >= 2) out.push(acc);
      if (acc.length === this.degree) return;
      for (let j = start; j < p; j++) rec(this.interactionOnly ? j + 1 : j, [...acc, j]);
    };
    for (let j = 0; j < p; j++) rec(this.interactionOnly ? j + 1 : j, [j]);
    return out;
  }

  transform(frame: Frame): Frame {
    checkDensify(frame, this.columns, 'polynomial');
    const inputs = this.columns.map((n) => valuesOf(frame, n, 'polynomial'));
    if (inputs.some((v) => !v)) return frame;
    const added: Column[] = this.terms().map((term) => {
      const values = new Float64Array(frame.rows).fill(1);
      for (const j of term) {
        const v = inputs[j]!;
        for (let i = 0; i < values.length; i++) values[i] *= v[i]!;
      }
      return numeric(termName(term.map((j) => this.columns[j]!)), values);
    });
    return new Frame([...frame.columns, ...added]);
  }

  toJSON(): StepJSON {
    return { step: this.step, params: this.params, state: { columns: this.columns } };
  }

  static fromJSON(json: StepJSON): Polynomial {
    const t = new Polynomial(json.params);
    t.columns = stateOf<string[]>(json, 'columns');
    return t;
  }
}

/** `a*b`, `a^2`, `a^2*b`: repeated factors as powers. */
function termName(names: string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < names.length; ) {
    let j = i;
    while (j < names.length && names[j] === names[i]) j++;
    parts.push(j - i > 1 ? `${names[i]}^${j - i}` : names[i]!);
    i = j;
  }
  return parts.join('*');
}

export const polynomialSpec: StepSpec = {
  name: 'polynomial',
  description: 'Append products of numeric columns up to a degree: interactions a*b and (unless interaction_only) powers a^2',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: columnSelectorSchema,
      degree: { type: 'integer', minimum: 2, maximum: 3, default: 2, description: 'Highest total degree of a product' },
      interaction_only: { type: 'boolean', default: false, description: 'Only products of distinct columns (no powers)' },
    },
  },
  create: (params) => new Polynomial(params),
  fromJSON: (json) => Polynomial.fromJSON(json),
};
