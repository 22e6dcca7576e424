// `soma init --data F --target COL`: profiles a data file and writes a starter soma.yaml that
// validates as written: the task inferred from the target, free-text columns left out, and a
// gradient-boosting model (which needs no preprocessing for missing values or categories).

import path from 'node:path';
import { stat } from 'node:fs/promises';
import { SomaError } from '../errors.js';
import { readFrame } from '../data/read.js';
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
}

export async function init(options: InitOptions): Promise<InitResult> {
  registerBuiltinEstimators();
  registerBuiltinTasks();
  if (!options.force && (await exists(options.output))) {
    throw new SomaError('USAGE', `${options.output} already exists (pass --force to overwrite it)`);
  }
  const frame = await readFrame(options.data);
  if (!frame.has(options.target)) {
    throw new SomaError('DATA_MISSING_COLUMN', `${options.data}: no column ${JSON.stringify(options.target)} for --target (columns: ${frame.names.join(', ')})`);
  }
  const profile = profileFrame(frame);
  const target = profile.find((c) => c.name === options.target)!;
  // The first registered task whose spec suggests itself (classification for few integer values).
  const task = suggestTask(frame.column(options.target)!, target.unique);
  const dropped = profile.filter((c) => c.name !== options.target && (c.type === 'text' || c.unique === 0)).map((c) => c.name);
  const features = profile.filter((c) => c.name !== options.target && !dropped.includes(c.name)).map((c) => c.name);
  const outDir = path.dirname(path.resolve(options.output));
  const name = options.name ?? defaultName(options.output === 'soma.yaml' ? path.join(outDir, 'soma.yaml') : options.output);
  const text = renderConfig({
    name,
    task,
    source: toPosix(path.relative(outDir, path.resolve(options.data))),
    target: options.target,
    dropped,
    schema: toPosix(path.relative(outDir, options.schemaPath)),
    profile,
  });
  const { issues } = checkConfig(text, options.output);
  if (issues.length > 0) throw new SomaError('INTERNAL', `the generated config does not validate:\n${issues.map(formatIssue).join('\n')}`);
  await writeFileAtomic(options.output, text);
  return { config: options.output, name, task: task.name, rows: frame.rows, features, dropped };
}

const yamlString = (s: string): string => (/^[A-Za-z0-9_.\/-]+$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) ? s : JSON.stringify(s));

function renderConfig(c: { name: string; task: TaskSpec; source: string; target: string; dropped: string[]; schema: string; profile: ColumnProfile[] }): string {
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
  if (c.dropped.length > 0) {
    lines.push(`  # free-text or empty columns, left out (a text step will be able to use text):`);
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

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
