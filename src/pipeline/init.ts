// `soma init --data F --target COL`: profiles a data file and writes a starter soma.yaml that
// validates as written: the task inferred from the target, free-text columns left out, and a
// gradient-boosting model (which needs no preprocessing for missing values or categories).

import path from 'node:path';
import { stat } from 'node:fs/promises';
import { SomaError } from '../errors.js';
import { readFrame, type CsvOptions } from '../data/read.js';
import { identifierColumns, type IdentifierColumn } from '../data/identifiers.js';
import { profileFrame, type ColumnProfile } from '../data/profile.js';
import { checkConfig } from '../config/load.js';
import { formatIssue } from '../config/issues.js';
import { defaultName } from '../config/resolve.js';
import { registerBuiltinEstimators } from '../models/index.js';
import { writeFileAtomic } from '../registry/atomic.js';
import { registerBuiltinTasks } from '../tasks/index.js';
import { suggestTask } from '../tasks/infer.js';
import type { TaskSpec } from '../tasks/spec.js';
import type { Task } from '../tasks/task.js';

export interface InitOptions {
  data: string;
  /** CSV dialect options given on the command line; written into the config as data.csv. */
  csv?: CsvOptions;
  onWarning?: (message: string) => void;
  target: string;
  output: string;
  name?: string;
  /** Absolute path of configs/soma.schema.json, for the editor schema comment. */
  schemaPath: string;
  force?: boolean;
}

export interface InitResult {
  config: string;
  name: string;
  task: Task;
  rows: number;
  features: string[];
  dropped: string[];
  /** The column made data.id (it looked like a row identifier), if any. */
  id: string | null;
}

export async function init(options: InitOptions): Promise<InitResult> {
  registerBuiltinEstimators();
  registerBuiltinTasks();
  if (!options.force && (await exists(options.output))) {
    throw new SomaError('USAGE', `${options.output} already exists (pass --force to overwrite it)`);
  }
  const csv = options.csv ?? {};
  let headerNote: string | undefined;
  const frame = await readFrame(options.data, {
    csv,
    onWarning: (w) => {
      headerNote ??= w;
      options.onWarning?.(w);
    },
  });
  if (!frame.has(options.target)) {
    throw new SomaError('DATA_MISSING_COLUMN', `${options.data}: no column ${JSON.stringify(options.target)} for --target (columns: ${frame.names.join(', ')})`, {
      ...(headerNote ? { hint: headerNote } : {}),
    });
  }
  const profile = profileFrame(frame);
  const target = profile.find((c) => c.name === options.target)!;
  // The first registered task whose spec suggests itself (classification for few integer values).
  const task = suggestTask(frame.column(options.target)!, target.unique);
  // A config that train would refuse (a class per row) is not written either.
  task.target.check?.(task.target.labels(frame.column(options.target)!), target.rows - target.missing, options.target);
  // Row identifiers: the first becomes data.id (passed through to predictions), the others are dropped.
  const ids = identifierColumns(frame, [options.target]);
  const id = ids[0]?.name ?? null;
  const idDropped = ids.slice(1).map((i) => i.name);
  const dropped = profile.filter((c) => c.name !== options.target && c.name !== id && (c.type === 'text' || c.unique === 0 || idDropped.includes(c.name))).map((c) => c.name);
  const features = profile.filter((c) => c.name !== options.target && c.name !== id && !dropped.includes(c.name)).map((c) => c.name);
  const outDir = path.dirname(path.resolve(options.output));
  const name = options.name ?? defaultName(options.output === 'soma.yaml' ? path.join(outDir, 'soma.yaml') : options.output);
  const text = renderConfig({
    name,
    task,
    source: toPosix(path.relative(outDir, path.resolve(options.data))),
    target: options.target,
    dropped,
    id: ids[0] ?? null,
    csv,
    schema: toPosix(path.relative(outDir, options.schemaPath)),
    profile,
  });
  const { issues } = checkConfig(text, options.output);
  if (issues.length > 0) throw new SomaError('INTERNAL', `the generated config does not validate:\n${issues.map(formatIssue).join('\n')}`);
  await writeFileAtomic(options.output, text);
  return { config: options.output, name, task: task.name, rows: frame.rows, features, dropped, id };
}

const yamlString = (s: string): string => (/^[A-Za-z0-9_.\/-]+$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) ? s : JSON.stringify(s));

function renderConfig(c: {
  name: string;
  task: TaskSpec;
  source: string;
  target: string;
  dropped: string[];
  id: IdentifierColumn | null;
  csv: CsvOptions;
  schema: string;
  profile: ColumnProfile[];
}): string {
  const lines = [
    `# yaml-language-server: $schema=${c.schema}`,
    `# Written by soma init from ${c.source} (${c.profile[0]?.rows ?? 0} rows). Edit freely; \`soma validate\` checks it.`,
    `name: ${yamlString(c.name)}`,
    `task: ${c.task.name}`,
    'seed: 42',
    'data:',
    `  source: ${yamlString(c.source)}`,
    `  target: ${yamlString(c.target)}`,
  ];
  const csv = csvYaml(c.csv);
  if (csv) lines.push(`  csv: ${csv}`);
  if (c.id) {
    lines.push(`  # looks like a row identifier (${c.id.why}): not a feature, copied into predictions`);
    lines.push(`  id: ${yamlString(c.id.name)}`);
  }
  if (c.dropped.length > 0) {
    lines.push(`  # free-text, empty or identifier columns, left out (a text step will be able to use text):`);
    lines.push(`  drop: [${c.dropped.map(yamlString).join(', ')}]`);
  }
  lines.push(`  split: {train: 0.7, validation: 0.15, test: 0.15${c.task.stratify ? ', stratify: true' : ''}}`);
  lines.push('# gbdt handles missing values and categories natively; linear and logistic models want');
  lines.push('# steps such as impute, scale and onehot here.');
  lines.push('preprocess: []');
  lines.push('model:');
  lines.push('  type: gbdt');
  lines.push('  params: {n_estimators: 200, learning_rate: 0.1, max_depth: 6, early_stopping_rounds: 20}');
  lines.push('evaluate:');
  lines.push(`  metrics: [${c.task.starter.metrics.join(', ')}]`);
  const [gateMetric, bound] = c.task.starter.gate;
  lines.push(`  # gates: {${gateMetric}: "${bound}"}   # fail \`soma train\` (exit 4) below a bound`);
  return `${lines.join('\n')}\n`;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');

/** The options given as a flow mapping for data.csv, or undefined when none were. */
function csvYaml(o: CsvOptions): string | undefined {
  const parts: string[] = [];
  if (o.delimiter !== undefined) parts.push(`delimiter: ${JSON.stringify(o.delimiter)}`);
  if (o.header !== undefined) parts.push(`header: ${o.header}`);
  if (o.skipRows !== undefined) parts.push(`skip_rows: ${o.skipRows}`);
  if (o.naValues !== undefined) parts.push(`na_values: [${o.naValues.map((v) => JSON.stringify(v)).join(', ')}]`);
  if (o.quote !== undefined) parts.push(`quote: ${JSON.stringify(o.quote)}`);
  if (o.comment !== undefined) parts.push(`comment: ${JSON.stringify(o.comment)}`);
  return parts.length > 0 ? `{${parts.join(', ')}}` : undefined;
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
