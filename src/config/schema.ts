// The config JSON Schema, assembled from the estimator catalog, the task registry and the
// preprocessing steps so a new model family, task (with its metrics) or step is validated (and
// documented) without touching this file.
// `soma schema` prints it; configs/soma.schema.json is its committed export for editors.

import { familySpecs } from '../models/families.js';
import { stepSpecs } from '../preprocess/catalog.js';
import { taskNames, taskSpecs } from '../tasks/registry.js';
import type { JsonObject } from '../util/json.js';
import { searchSchema } from '../search/schema.js';
import { SERVING_PROPERTIES } from './serving.js';
import { DRIFT_METHODS } from '../monitor/column-drift.js';

export const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const SEMVER_PATTERN = '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)$';
/** `>= 0.9`, or relative to an alias of the same model: `> production - 0.01` (pipeline/gates.ts). */
export const GATE_PATTERN =
  '^\\s*(>=|<=|>|<|==)\\s*(-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?|[A-Za-z][A-Za-z0-9_-]{0,63}(\\s*[-+]\\s*(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?)?)\\s*$';

const fraction = (description: string, def?: number): JsonObject => ({
  type: 'number',
  minimum: 0,
  maximum: 1,
  ...(def === undefined ? {} : { default: def }),
  description,
});

/** Every registered task's metric names, each once, in registration order. */
function allMetricNames(): string[] {
  return [...new Set(taskSpecs().flatMap((t) => t.metrics.metrics.map((m) => m.name)))];
}

/**
 * What a metric name may be: a registered name, or for metrics of top-k lists (`ndcg@k`) the
 * name at any k (`ndcg@10`).
 */
function metricNameSchema(metrics: readonly string[]): JsonObject {
  const plain = metrics.filter((m) => !m.endsWith('@k'));
  const atK = metrics.filter((m) => m.endsWith('@k')).map((m) => m.slice(0, -2));
  if (atK.length === 0) return { enum: plain };
  return { anyOf: [{ enum: plain }, { type: 'string', pattern: `^(${atK.join('|')})@([1-9][0-9]{0,5}|k)$` }] };
}

export function buildConfigSchema(): JsonObject {
  const metrics = allMetricNames();
  const modelNames = familySpecs().flatMap((s) => [s.name, ...(s.aliases ?? [])]);
  const paramsByModel: JsonObject[] = familySpecs().map((s) => ({
    if: { properties: { type: { enum: [s.name, ...(s.aliases ?? [])] } }, required: ['type'] },
    then: { properties: { params: s.paramsSchema, hyperparameters: s.paramsSchema } },
  }));
  const steps = stepSpecs();
  // Sections, data keys and rules the registered tasks add (forecasting's forecast: and data.time).
  const taskConfigs = taskSpecs().flatMap((t) => (t.config ? [t.config] : []));
  const taskSections: JsonObject = Object.assign({}, ...taskConfigs.map((c) => c.sections ?? {}));
  const taskData: JsonObject = Object.assign({}, ...taskConfigs.map((c) => c.data ?? {}));
  const taskSplit: JsonObject = Object.assign({}, ...taskConfigs.map((c) => c.split ?? {}));
  const taskEvaluate: JsonObject = Object.assign({}, ...taskConfigs.map((c) => c.evaluate ?? {}));
  const noTarget = taskSpecs().filter((t) => t.config?.noTarget).map((t) => t.name);
  // data.target is required unless the config names a task that reads none.
  const targetRule: JsonObject[] = noTarget.length > 0 ? [{ if: { properties: { task: { enum: noTarget } }, required: ['task'] }, else: { properties: { data: { required: ['target'] } } } }] : [];
  const taskRules: JsonObject[] = [...targetRule, ...taskConfigs.flatMap((c) => c.rules ?? [])];
  const metricName = metricNameSchema(metrics);
  const stepProperties: JsonObject = {};
  for (const s of steps) stepProperties[s.name] = { ...s.paramsSchema, description: s.description };

  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://soma.dev/soma.schema.json',
    title: 'soma config',
    description: 'A soma model: its data, preprocessing, model family, evaluation and registration',
    type: 'object',
    additionalProperties: false,
    // Without model:, soma trains its default family (config/resolve.ts, DEFAULT_FAMILY).
    required: ['data'],
    properties: {
      name: { type: 'string', pattern: NAME_PATTERN, description: 'Model name in the registry (default: the config file\'s name, or its directory for soma.yaml)' },
      description: { type: 'string', description: 'One line on what the model does' },
      task: { type: 'string', enum: taskNames(), description: 'Inferred from the model family and the target column when absent' },
      seed: { type: 'integer', default: 42, description: 'Seed for splits and every random choice in training' },
      data: {
        type: 'object',
        additionalProperties: false,
        ...(noTarget.length > 0 ? {} : { required: ['target'] }),
        description: 'Where the data lives: `source` (split by `split`) or separate `train`/`validation`/`test` files',
        properties: {
          source: { type: 'string', description: 'CSV, TSV, Parquet, Arrow IPC, JSON or NDJSON file (or glob), relative to this config' },
          train: { type: 'string', description: 'Training file (instead of source)' },
          validation: { type: 'string', description: 'Validation file (with train)' },
          test: { type: 'string', description: 'Test file (with train)' },
          format: { type: 'string', enum: ['csv', 'tsv', 'parquet', 'json', 'ndjson', 'arrow'], description: 'File format when the extension does not say' },
          csv: {
            type: 'object',
            additionalProperties: false,
            description: 'How CSV/TSV files are read (every file of this config); what is left out is sniffed',
            properties: {
              delimiter: {
                type: 'string',
                minLength: 1,
                description: 'Field delimiter: one character such as ",", ";", "\t" or " ", or "whitespace" for runs of spaces and tabs (default: sniffed, whitespace-separated files included)',
              },
              header: { type: 'boolean', description: 'Whether the first line (after skip_rows) names the columns (default: sniffed); false names them column0, column1, ...' },
              skip_rows: { type: 'integer', minimum: 0, default: 0, description: 'Lines to skip before the header, e.g. a line of counts above it' },
              na_values: {
                type: 'array',
                items: { type: 'string' },
                description: 'Strings read as missing in every column, replacing the default: "", NA, N/A, n/a, NULL, null, NaN, #N/A, ?, -',
              },
              quote: { type: 'string', maxLength: 1, description: 'Quote character (default: sniffed, usually "); "" for none' },
              comment: { type: 'string', minLength: 1, maxLength: 1, description: 'Lines starting with this character are skipped' },
            },
          },
          target: { type: 'string', description: 'The column to predict' },
          id: { type: 'string', description: 'Row identifier, never a feature, copied into predictions' },
          drop: { type: 'array', items: { type: 'string' }, default: [], description: 'Columns to ignore' },
          types: {
            type: 'object',
            description: 'Per-column type overrides: numeric, categorical, text, datetime, or {datetime: FORMAT} for dates in a strptime format such as "%b %d %Y"',
            additionalProperties: {
              anyOf: [
                { type: 'string', enum: ['numeric', 'categorical', 'text', 'datetime'] },
                {
                  type: 'object',
                  additionalProperties: false,
                  required: ['datetime'],
                  properties: { datetime: { type: 'string', minLength: 1, description: 'strptime format of the strings, e.g. "%b %d %Y" for Jun 12 1998, "%d/%m/%Y" for 31/12/1999' } },
                },
              ],
            },
          },
          split: {
            type: 'object',
            additionalProperties: false,
            description: 'How `source` is split (fractions sum to 1)',
            properties: {
              train: fraction('Training share', 0.7),
              validation: fraction('Validation share', 0.15),
              test: fraction('Test share', 0.15),
              stratify: { type: 'boolean', default: true, description: 'Keep class shares in every part (classification)' },
              shuffle: { type: 'boolean', default: true, description: 'false keeps file order' },
              by: { type: 'string', description: 'A datetime column: split in time order, oldest rows train' },
              ...taskSplit,
            },
          },
          ...taskData,
        },
      },
      preprocess: {
        type: 'array',
        default: [],
        description: 'Ordered steps, each fitted on the training split only',
        items: {
          type: 'object',
          minProperties: 1,
          maxProperties: 1,
          propertyNames: { enum: steps.map((s) => s.name) },
          properties: stepProperties,
        },
      },
      model: {
        type: 'object',
        additionalProperties: false,
        required: ['type'],
        properties: {
          type: {
            // if/then rather than anyOf, so a misspelt single family still gets the enum's
            // "expected one of ... did you mean" message.
            type: ['string', 'array'],
            if: { type: 'string' },
            then: { enum: modelNames },
            else: { items: { type: 'string', enum: modelNames }, minItems: 1, uniqueItems: true },
            description: 'Model family, or a list of families for the search to compare (needs search:)',
          },
          params: { type: 'object', description: 'Hyperparameters of the model family' },
          hyperparameters: { type: 'object', description: 'Synonym of params (the seeds\' spelling)' },
          version: { type: 'string', pattern: SEMVER_PATTERN, description: 'Register exactly this version (default: automatic bump)' },
          training: {
            type: 'object',
            additionalProperties: false,
            properties: {
              validation_split: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'Validation share (overrides data.split.validation)' },
              early_stopping: {
                anyOf: [{ type: 'boolean' }, { type: 'integer', minimum: 1 }],
                description: 'Stop when the validation metric stops improving: true (10 rounds) or the number of rounds',
              },
              refit: {
                anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['auto'] }],
                default: 'auto',
                description:
                  'After the fit on the training split (early stopping on validation), fit once more on training + validation at the size chosen (rounds, epochs) and keep that model; validation metrics stay those of the first fit. auto = when training + validation have at most 100,000 rows',
              },
            },
          },
          serving: {
            type: 'object',
            additionalProperties: false,
            description: 'How `soma serve` serves this model (serve.yaml and the command line override it)',
            properties: SERVING_PROPERTIES,
          },
          monitoring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              drift_threshold: {
                type: 'number',
                minimum: 0,
                description: 'Threshold of every column\'s drift test in `soma drift` (default per test: p < 0.05 for ks, chi2, ztest; >= 0.1 for wasserstein, jensenshannon, psi)',
              },
              drift_method: { type: 'string', enum: [...DRIFT_METHODS], default: 'auto', description: 'Drift test of every column: auto picks by type and reference size as Evidently does' },
              drift_share: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5, description: 'The data set drifts (`soma drift` exits 5) when at least this share of the tested columns drift' },
              columns: {
                type: 'object',
                description: 'Per-column drift test and threshold, overriding drift_method and drift_threshold',
                additionalProperties: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { method: { type: 'string', enum: [...DRIFT_METHODS] }, threshold: { type: 'number', minimum: 0 } },
                },
              },
              performance_threshold: { type: 'number', description: 'Minimum acceptable primary metric in production' },
            },
          },
        },
        allOf: paramsByModel,
      },
      evaluate: {
        type: 'object',
        additionalProperties: false,
        properties: {
          metrics: { type: 'array', items: { type: 'string', ...metricName }, description: 'Metrics to report (default: all for the task)' },
          gates: {
            type: 'object',
            description: 'Quality gates on test metrics, e.g. f1_macro: ">= 0.9", or relative to an alias: "> production - 0.01"; a failed gate exits 4',
            propertyNames: metricName,
            additionalProperties: { type: 'string', pattern: GATE_PATTERN },
          },
          sensitive: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description: 'Input columns (features or not) whose groups are compared on the test split: per-group metrics, demographic-parity and equal-opportunity differences',
          },
          baseline: {
            type: 'string',
            enum: ['report', 'required'],
            default: 'report',
            description:
              'Every train scores a trivial baseline (majority class, mean) on the same splits; a model that does not beat it on the test split is reported (report) or not registered, exit 4 (required)',
          },
          fairness_threshold: {
            type: 'number',
            minimum: 0,
            maximum: 1,
            default: 0.1,
            description: 'A group is flagged when its selection rate or true-positive rate is more than this below the best group\'s',
          },
          ...taskEvaluate,
        },
      },
      search: searchSchema(modelNames, metrics),
      registry: {
        type: 'object',
        additionalProperties: false,
        properties: {
          bump: { type: 'string', enum: ['auto', 'major', 'minor', 'patch'], default: 'auto', description: 'Version bump (auto compares with the latest version)' },
        },
      },
      ...taskSections,
    },
    ...(taskRules.length > 0 ? { allOf: taskRules } : {}),
  };
}
