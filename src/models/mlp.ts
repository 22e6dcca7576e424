// `mlp`: a multi-layer perceptron classifier / regressor. Trained on soma's own dense-layer
// kernels (src/engine/nn: float32, wasm SIMD products, no allocation per step) rather than
// TensorFlow.js's training loop, which measured about 6x slower than scikit-learn here; saved in
// the TensorFlow.js layers format (`model/tfjs/model.json` + `weights.bin`, loadable by
// `tf.loadLayersModel`) so the model stays usable from TensorFlow.js.
//
// Inputs are standardised inside the model for training; at save the standardisation (and, for
// regression, the target scaling) is folded into the first and last dense layers, so the saved
// network takes raw features and predicts on the target's own scale, and soma predicts with
// exactly the saved (possibly quantized) weights.
//
// Sparse feature columns (text features): their statistics come from the stored entries, and
// their values are scattered into the row-major float32 training copy and, at prediction, into
// each batch of rows; the training copy is dense by design (it is what the kernels and worker
// threads read), so its size is checked first (models/dense.ts).

import type { FeatureMatrix } from '../engine/matrix.js';
import type { Target, Task } from '../tasks/task.js';
import { isSparse, scatter, type FeatureColumn } from '../engine/sparse.js';
import { ACTIVATIONS, type Activation } from '../engine/nn/activations.js';
import { fromLayersModel, roundTrip, toLayersModel, type Quantization } from '../engine/nn/layers-format.js';
import type { Head } from '../engine/nn/loss.js';
import { Network, type DenseSpec, type NetworkSpec, type WeightTensor } from '../engine/nn/network.js';
import { createOptimizer, learningRateAt, OPTIMIZERS, SCHEDULES, type OptimizerName, type ScheduleName } from '../engine/nn/optim.js';
import { loadShard, startGradientPool, type GradientPool } from '../engine/nn/parallel.js';
import { Rng } from '../engine/random.js';
import { SomaError } from '../errors.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../util/json.js';
import { modelWording, resolveParams } from '../util/params.js';
import { readEnvelope, shown, stateError } from '../util/state-reader.js';
import { VERSION } from '../version.js';
import { AbortPoint } from './abort.js';
import { argmaxRows } from './argmax.js';
import { checkTarget } from './checks.js';
import { checkDenseSize } from './dense.js';
import type { ArtifactFile, Estimator, EstimatorJSON, EstimatorSpec, FitOptions } from './estimator.js';
import { alignColumns } from './features.js';
import { resolveThreads } from './threads.js';
import { IMPUTE_STEPS } from './default-preprocess.js';

/** Rows per forward pass when predicting (and when scoring validation data). */
const PREDICT_ROWS = 1024;
const TFJS_DIR = 'tfjs';

/**
 * Tensors a quantized save leaves in float32: the first layer's, which carry the folded input
 * standardisation. Its columns can differ in scale by orders of magnitude (a feature with a tiny
 * spread gets a large weight), which one per-tensor uint8 range cannot hold; it is also small.
 */
const keepFloat32 = (tensorName: string): boolean => tensorName.startsWith('0/');

const layerSchema: JsonObject = {
  type: 'object',
  additionalProperties: false,
  required: ['units'],
  properties: {
    units: { type: 'integer', minimum: 1, maximum: 65536, description: 'Width of the layer' },
    activation: { type: 'string', enum: [...ACTIVATIONS], default: 'relu', description: 'Activation after the dense product (and batch norm)' },
    dropout: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0, description: 'Share of outputs dropped in training' },
    batch_norm: { type: 'boolean', default: false, description: 'Batch normalisation between the product and the activation' },
  },
};

/**
 * epochs: auto trains about this many optimiser steps, within [AUTO_MIN_EPOCHS, AUTO_MAX_EPOCHS]
 * epochs: a table of a few hundred rows is one or two batches an epoch, and 20 epochs of it
 * (the old default) left iris at 0.84 accuracy against scikit-learn's 0.98 after 200; a table of
 * 200,000 rows gets 20 epochs, as before, instead of a tenfold cost.
 */
const AUTO_STEPS = 20_000;
const AUTO_MIN_EPOCHS = 20;
const AUTO_MAX_EPOCHS = 200;

export function autoEpochs(stepsPerEpoch: number): number {
  return Math.min(AUTO_MAX_EPOCHS, Math.max(AUTO_MIN_EPOCHS, Math.ceil(AUTO_STEPS / Math.max(1, stepsPerEpoch))));
}

const mlpParamsSchema: JsonObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    layers: {
      type: 'array',
      items: layerSchema,
      minItems: 1,
      default: [{ units: 64, activation: 'relu' }, { units: 64, activation: 'relu' }],
      description: 'Hidden layers in order: [{units, activation: relu|tanh|sigmoid|gelu|linear, dropout, batch_norm}]',
    },
    optimizer: { type: 'string', enum: [...OPTIMIZERS], default: 'adam', description: 'adam, or sgd with momentum' },
    learning_rate: { type: 'number', exclusiveMinimum: 0, maximum: 10, default: 0.001, description: 'Initial step size' },
    momentum: { type: 'number', minimum: 0, exclusiveMaximum: 1, default: 0.9, description: 'SGD momentum (optimizer: sgd)' },
    schedule: { type: 'string', enum: [...SCHEDULES], default: 'constant', description: 'Learning-rate schedule: constant, step (x decay_rate every step_size epochs), exponential (x decay_rate per epoch), cosine (to 0 over all steps)' },
    decay_rate: { type: 'number', exclusiveMinimum: 0, maximum: 1, default: 0.5, description: 'Factor of the step and exponential schedules' },
    step_size: { type: 'integer', minimum: 1, maximum: 100000, default: 10, description: 'Epochs between decays of the step schedule' },
    epochs: {
      type: ['integer', 'string'],
      anyOf: [{ type: 'integer', minimum: 1, maximum: 100000 }, { type: 'string', enum: ['auto'] }],
      default: 'auto',
      description: `Passes over the training rows; auto = ${AUTO_STEPS} optimiser steps' worth, between ${AUTO_MIN_EPOCHS} and ${AUTO_MAX_EPOCHS} epochs (scikit-learn's 200 on small tables, 20 from about 200,000 rows)`,
    },
    batch_size: { type: 'integer', minimum: 1, maximum: 65536, default: 200, description: "Rows per optimiser step (at most the training rows, as scikit-learn's min(200, n))" },
    alpha: { type: 'number', minimum: 0, maximum: 1e6, default: 0, description: 'L2 penalty on the weights (alpha/2 |W|^2 added to the mean batch loss)' },
    early_stopping: { type: 'integer', minimum: 0, maximum: 100000, default: 0, description: 'Patience: stop after this many epochs without improvement of the validation loss (training loss without validation data) and restore the best weights; 0 = off' },
    min_delta: { type: 'number', minimum: 0, default: 0, description: 'Smallest loss decrease that counts as an improvement' },
    checkpoint_every: { type: 'integer', minimum: 0, maximum: 100000, default: 0, description: 'Save the weights every N epochs (model/checkpoints/epoch_N) plus the best epoch (model/checkpoints/best); 0 = off' },
    quantize: { type: 'string', enum: ['none', 'float16', 'uint8'], default: 'none', description: 'Weight encoding at save; the loss change it causes is reported in the summary' },
    seed: { type: 'integer', minimum: 0, maximum: 2147483647, default: 0, description: 'Seed for initial weights, shuffling and dropout: a run repeats exactly (for the same n_jobs)' },
    n_jobs: {
      type: 'integer',
      minimum: 0,
      maximum: 1024,
      default: 1,
      description: 'Threads splitting each batch (data-parallel gradients); 0 = all cores (one inside search trials and batch-prediction workers). Not with batch_norm (batch statistics would be per thread); results differ from n_jobs 1 by float rounding and dropout streams',
    },
  },
};

/** Rows per thread below which a step is not worth splitting (synchronisation would dominate). */
const MIN_SHARD_ROWS = 64;

interface MlpParams {
  layers: DenseSpec[];
  optimizer: OptimizerName;
  learningRate: number;
  momentum: number;
  schedule: ScheduleName;
  decayRate: number;
  stepSize: number;
  epochs: number | 'auto';
  batchSize: number;
  alpha: number;
  patience: number;
  minDelta: number;
  checkpointEvery: number;
  quantize: Quantization;
  seed: number;
  threads: number;
}

function parseLayers(v: JsonValue | undefined): DenseSpec[] {
  const bad = (i: number | null, why: string): never => {
    throw new SomaError('PARAM_INVALID', `mlp: parameter layers${i === null ? ' ' : `[${i}]`}${why} (expected a list of {units: integer >= 1, activation: ${ACTIVATIONS.join('|')}, dropout: 0 <= x < 1, batch_norm: true|false})`);
  };
  if (!Array.isArray(v) || v.length === 0) return bad(null, `= ${JSON.stringify(v)} is not a non-empty list`);
  return v.map((raw, i) => {
    if (!isJsonObject(raw)) return bad(i, ` = ${JSON.stringify(raw)} is not an object`);
    for (const k of Object.keys(raw)) if (!['units', 'activation', 'dropout', 'batch_norm'].includes(k)) bad(i, ` has unknown key ${k}`);
    const units = raw['units'];
    if (typeof units !== 'number' || !Number.isInteger(units) || units < 1 || units > 65536) bad(i, `.units = ${JSON.stringify(units)}`);
    const activation = raw['activation'] ?? 'relu';
    if (typeof activation !== 'string' || !(ACTIVATIONS as readonly string[]).includes(activation)) bad(i, `.activation = ${JSON.stringify(activation)}`);
    const dropout = raw['dropout'] ?? 0;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) bad(i, `.dropout = ${JSON.stringify(dropout)}`);
    const bn = raw['batch_norm'] ?? false;
    if (typeof bn !== 'boolean') bad(i, `.batch_norm = ${JSON.stringify(bn)}`);
    return { units: units as number, activation: activation as Activation, dropout: dropout as number, batchNorm: bn as boolean };
  });
}

function parseParams(params: JsonObject): { json: JsonObject; p: MlpParams } {
  const json = resolveParams(mlpParamsSchema, params, modelWording('mlp'));
  const layers = parseLayers(json['layers']);
  return {
    json,
    p: {
      layers,
      optimizer: json['optimizer'] as OptimizerName,
      learningRate: json['learning_rate'] as number,
      momentum: json['momentum'] as number,
      schedule: json['schedule'] as ScheduleName,
      decayRate: json['decay_rate'] as number,
      stepSize: json['step_size'] as number,
      epochs: json['epochs'] as number | 'auto',
      batchSize: json['batch_size'] as number,
      alpha: json['alpha'] as number,
      patience: json['early_stopping'] as number,
      minDelta: json['min_delta'] as number,
      checkpointEvery: json['checkpoint_every'] as number,
      quantize: json['quantize'] as Quantization,
      seed: json['seed'] as number,
      threads: resolveThreads(json['n_jobs'] as number),
    },
  };
}

/** Row-major float32 copy of the columns, each mapped through (x - shift) / scale (in shared memory when asked, for worker threads). */
function rowMajor(columns: readonly FeatureColumn[], rows: number, shift: Float64Array | null, scale: Float64Array | null, shared = false): Float32Array {
  const K = columns.length;
  const out = shared ? new Float32Array(new SharedArrayBuffer(Math.max(1, rows * K) * 4)) : new Float32Array(rows * K);
  for (let j = 0; j < K; j++) {
    const c = columns[j]!;
    const s = shift ? shift[j]! : 0;
    const inv = scale ? 1 / scale[j]! : 1;
    if (isSparse(c)) {
      // Every row takes the standardised zero, then the stored rows their own value.
      const zero = -s * inv;
      for (let i = 0; i < rows; i++) out[i * K + j] = zero;
      const { index, values } = c;
      for (let k = 0; k < index.length; k++) out[index[k]! * K + j] = (values[k]! - s) * inv;
    } else {
      for (let i = 0; i < rows; i++) out[i * K + j] = (c[i]! - s) * inv;
    }
  }
  return out;
}

function checkComplete(X: FeatureMatrix): void {
  for (let j = 0; j < X.columns.length; j++) {
    const col = X.columns[j]!;
    // A sparse column's implicit zeros are finite: only its stored values can be bad.
    const c = isSparse(col) ? col.values : col;
    for (let k = 0; k < c.length; k++) {
      const v = c[k]!;
      if (v - v !== 0) {
        const i = isSparse(col) ? col.index[k]! : k;
        throw new SomaError('DATA_BAD_VALUE', `mlp: feature "${X.names[j]}" has ${Number.isNaN(v) ? 'a missing (NaN)' : 'an infinite'} value at row ${i}; the network needs complete numeric input`, {
          hint: 'add an impute step to preprocess (e.g. "- impute: {columns: numeric, strategy: median}")',
          details: { feature: X.names[j] ?? j, row: i },
        });
      }
    }
  }
}

/** A learned network as saved: layer shapes, folded float32 tensors (after any quantization). */
interface Saved {
  spec: NetworkSpec;
  tensors: WeightTensor[];
}

interface FitFacts {
  epochsRun: number;
  bestEpoch: number;
  bestLoss: number;
  stoppedEarly: boolean;
  monitor: string;
  trainHistory: number[];
  validationHistory: number[];
  seconds: number;
  /** Threads that computed gradients (1 when n_jobs is 1, batch norm is used or workers could not start). */
  threads: number;
  quantization: JsonObject | null;
}

export class Mlp implements Estimator {
  readonly kind = 'mlp';
  readonly params: JsonObject;
  private readonly p: MlpParams;
  private names: string[] = [];
  private nClasses = 0;
  private net: Network | null = null;
  private saved: Saved | null = null;
  private checkpoints: Array<{ name: string; saved: Saved }> = [];
  private facts: FitFacts | null = null;

  constructor(
    params: JsonObject,
    readonly task: Task,
  ) {
    const { json, p } = parseParams(params);
    this.params = json;
    this.p = p;
  }

  async fit(X: FeatureMatrix, y: Target, options: FitOptions = {}): Promise<this> {
    const started = performance.now();
    checkTarget('mlp', X, y, this.task);
    checkComplete(X);
    const P = this.p;
    const n = X.rows;
    const K = X.columns.length;
    const head: Head = this.task === 'regression' ? 'linear' : y.nClasses === 2 ? 'sigmoid' : 'softmax';
    const spec: NetworkSpec = { inputs: K, hidden: P.layers, outputs: head === 'softmax' ? y.nClasses : 1, head };

    // Standardisation of inputs (and of a regression target) keeps one learning rate good for any data scale.
    const mean = new Float64Array(K);
    const sd = new Float64Array(K);
    X.columns.forEach((c, j) => {
      let s = 0;
      let v = 0;
      let m: number;
      if (isSparse(c)) {
        // Implicit zeros add nothing to the sum and m^2 each to the squared deviations.
        for (const x of c.values) s += x;
        m = s / n;
        v = (n - c.values.length) * m * m;
        for (const x of c.values) v += (x - m) ** 2;
      } else {
        for (let i = 0; i < n; i++) s += c[i]!;
        m = s / n;
        for (let i = 0; i < n; i++) v += (c[i]! - m) ** 2;
      }
      mean[j] = m;
      sd[j] = v > 0 ? Math.sqrt(v / n) : 1;
    });
    let yShift = 0;
    let yScale = 1;
    if (head === 'linear') {
      let s = 0;
      for (let i = 0; i < n; i++) s += y.values[i]!;
      yShift = s / n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (y.values[i]! - yShift) ** 2;
      yScale = v > 0 ? Math.sqrt(v / n) : 1;
    }
    const scaleY = (values: Float64Array): Float64Array => (head === 'linear' ? values.map((v) => (v - yShift) / yScale) : values);
    const batch = Math.min(P.batchSize, n);
    const threads = P.layers.some((l) => l.batchNorm) ? 1 : Math.max(1, Math.min(P.threads, Math.floor(batch / MIN_SHARD_ROWS)));
    const sharedF64 = (a: Float64Array): Float64Array => {
      if (threads === 1) return a;
      const out = new Float64Array(new SharedArrayBuffer(Math.max(1, a.length) * 8));
      out.set(a);
      return out;
    };
    checkDenseSize(X, 'mlp');
    const Xs = rowMajor(X.columns, n, mean, sd, threads > 1);
    const ys = sharedF64(scaleY(y.values));
    const weights = options.sampleWeight ? sharedF64(options.sampleWeight) : null;
    if (weights) {
      if (weights.length !== n) throw new SomaError('DATA_BAD_VALUE', `mlp: ${weights.length} sample weights for ${n} rows`);
      for (let i = 0; i < n; i++) {
        if (!(weights[i]! >= 0 && Number.isFinite(weights[i]!))) throw new SomaError('DATA_BAD_VALUE', `mlp: sample weight ${weights[i]} at row ${i} is not a finite non-negative number`);
      }
    }
    let val: { X: Float32Array; y: Float64Array; rows: number } | null = null;
    if (options.validation && options.validation.X.rows > 0) {
      const vX = options.validation.X;
      checkComplete(vX);
      val = { X: rowMajor(alignColumns(vX, X.names), vX.rows, mean, sd), y: scaleY(options.validation.y.values), rows: vX.rows };
    }

    const net = new Network(spec, batch, P.seed);
    net.initialize();
    const opt = createOptimizer(P.optimizer, net.paramCount, { learningRate: P.learningRate, momentum: P.momentum, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    const stepsPerEpoch = Math.ceil(n / batch);
    const epochs = P.epochs === 'auto' ? autoEpochs(stepsPerEpoch) : P.epochs;
    const schedule = { name: P.schedule, learningRate: P.learningRate, decayRate: P.decayRate, stepSize: P.stepSize, epochs, stepsPerEpoch };
    const rng = new Rng((P.seed ^ 0x5bd1e995) >>> 0);
    const order = threads > 1 ? new Int32Array(new SharedArrayBuffer(n * 4)) : new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const yb = new Float64Array(batch);
    const wb = weights ? new Float64Array(batch) : null;
    const abort = new AbortPoint(options.signal);
    const metric = head === 'linear' ? 'mse' : 'log_loss';
    // Reported losses on the target's own scale (mse), so progress reads the same as the metrics.
    const report = (loss: number): number => (head === 'linear' ? 2 * loss * yScale * yScale : loss);

    const trainHistory: number[] = [];
    const validationHistory: number[] = [];
    let best = Infinity;
    let bestEpoch = 0;
    let bestSnapshot: Float32Array | null = null;
    const keepBest = P.patience > 0 || P.checkpointEvery > 0;
    const epochSnapshots: Array<{ epoch: number; snapshot: Float32Array }> = [];
    let since = 0;
    let stoppedEarly = false;
    let step = 0;
    let epoch = 0;
    // Worker threads for n_jobs > 1; if they cannot start (say, an unbuilt worker.js) this thread does it all.
    const pool: GradientPool | null =
      threads > 1 ? await startGradientPool(net, { xs: Xs, ys, ws: weights, order }, { threads, batch, seed: P.seed, l2: P.alpha }).catch(() => null) : null;
    try {
      for (; epoch < epochs; epoch++) {
        rng.shuffle(order);
        let lossSum = 0;
        let weightSum = 0;
        for (let start = 0; start < n; start += batch) {
          await abort.check();
          const rows = Math.min(batch, n - start);
          if (pool) lossSum += pool.step(start, rows);
          else {
            loadShard(net, Xs, K, ys, weights, order, start, 0, rows, yb, wb);
            net.forward(rows, true);
            lossSum += net.backward(rows, yb, 0, wb, P.alpha);
          }
          if (weights) for (let r = 0; r < rows; r++) weightSum += weights[order[start + r]!]!;
          else weightSum += rows;
          opt.step(net.paramView(), net.gradView(), learningRateAt(schedule, epoch, step));
          step++;
        }
        const trainLoss = lossSum / weightSum;
        if (!Number.isFinite(trainLoss)) {
          throw new SomaError('PARAM_INVALID', `mlp: training diverged at epoch ${epoch + 1} (loss ${trainLoss}); learning_rate = ${P.learningRate} is too large for this data`, {
            hint: 'lower learning_rate (e.g. by 10x) or use schedule: cosine',
          });
        }
        const valLoss = val ? evaluateLoss(net, val.X, val.y, val.rows) : undefined;
        trainHistory.push(report(trainLoss));
        if (valLoss !== undefined) validationHistory.push(report(valLoss));
        options.onProgress?.({ iteration: epoch + 1, total: epochs, metric, train: report(trainLoss), ...(valLoss !== undefined ? { validation: report(valLoss) } : {}) });
        const monitored = valLoss ?? trainLoss;
        if (monitored < best - P.minDelta) {
          best = monitored;
          bestEpoch = epoch + 1;
          since = 0;
          if (keepBest) bestSnapshot = net.snapshot();
        } else since++;
        if (P.checkpointEvery > 0 && (epoch + 1) % P.checkpointEvery === 0) epochSnapshots.push({ epoch: epoch + 1, snapshot: net.snapshot() });
        if (P.patience > 0 && since >= P.patience) {
          stoppedEarly = true;
          epoch++;
          break;
        }
      }
    } finally {
      await pool?.close();
    }
    const usedThreads = pool ? threads : 1;
    const fold = (): Saved => ({ spec, tensors: foldTensors(net.tensors(), mean, sd, yShift, yScale) });
    this.checkpoints = [];
    if (P.checkpointEvery > 0) {
      const last = net.snapshot();
      for (const c of epochSnapshots) {
        net.restore(c.snapshot);
        this.checkpoints.push({ name: `epoch_${c.epoch}`, saved: fold() });
      }
      if (bestSnapshot) {
        net.restore(bestSnapshot);
        this.checkpoints.push({ name: 'best', saved: fold() });
      }
      net.restore(last);
    }
    if (P.patience > 0 && bestSnapshot) net.restore(bestSnapshot);

    this.names = [...X.names];
    this.nClasses = this.task === 'classification' ? y.nClasses : 0;
    let saved = fold();
    let quantization: JsonObject | null = null;
    if (P.quantize !== 'none') {
      // Loss before and after the weights take their saved encoding, on validation data when given.
      const evalX = options.validation && options.validation.X.rows > 0 ? options.validation.X : X;
      const evalY = options.validation && options.validation.X.rows > 0 ? options.validation.y : y;
      this.install(saved);
      const before = this.loss(evalX, evalY);
      const beforePred = this.rawOutputs(evalX);
      saved = { spec, tensors: saved.tensors.map((t) => (keepFloat32(t.name) ? t : { ...t, values: roundTrip(t.values, P.quantize) })) };
      this.install(saved);
      const after = this.loss(evalX, evalY);
      const afterPred = this.rawOutputs(evalX);
      let maxChange = 0;
      for (let i = 0; i < afterPred.length; i++) maxChange = Math.max(maxChange, Math.abs(afterPred[i]! - beforePred[i]!));
      quantization = {
        dtype: P.quantize,
        metric,
        on: evalX === X ? 'train' : 'validation',
        before,
        after,
        change: after - before,
        max_output_change: maxChange,
      };
    }
    this.install(saved);
    this.facts = {
      epochsRun: epoch,
      bestEpoch,
      bestLoss: report(best),
      stoppedEarly,
      monitor: val ? 'validation' : 'train',
      trainHistory,
      validationHistory,
      seconds: (performance.now() - started) / 1000,
      threads: usedThreads,
      quantization,
    };
    return this;
  }

  /** Makes `saved` the network that predicts. */
  private install(saved: Saved): void {
    const net = new Network(saved.spec, PREDICT_ROWS);
    net.setTensors(saved.tensors);
    this.net = net;
    this.saved = saved;
  }

  /** Head outputs, row-major: class probabilities (2 columns for binary) or values. */
  private rawOutputs(X: FeatureMatrix): Float64Array {
    const net = this.net;
    if (!net) throw new SomaError('INTERNAL', 'mlp: predict called before fit');
    const cols = alignColumns(X, this.names);
    const K = cols.length;
    const width = net.spec.head === 'sigmoid' ? 2 : net.spec.outputs;
    const out = new Float64Array(X.rows * width);
    for (let start = 0; start < X.rows; start += PREDICT_ROWS) {
      const rows = Math.min(PREDICT_ROWS, X.rows - start);
      const f = net.gemm.f32;
      for (let j = 0; j < K; j++) {
        const c = cols[j]!;
        if (isSparse(c)) {
          // This batch's rows of a sparse column: zeros, then its stored entries in the batch.
          for (let r = 0; r < rows; r++) f[net.X + r * K + j] = 0;
          scatter(c, f, start, start + rows, net.X + j, K);
        } else {
          for (let r = 0; r < rows; r++) f[net.X + r * K + j] = c[start + r]!;
        }
      }
      net.predictRows(rows, out, start);
    }
    // NaN out means NaN or Infinity in: only then scan the columns, to name the feature.
    for (let i = 0; i < out.length; i++) {
      if (Number.isNaN(out[i]!)) {
        checkComplete({ ...X, names: this.names, columns: cols });
        break;
      }
    }
    return out;
  }

  /** Mean log loss (classification) or mse (regression) of the current network. */
  private loss(X: FeatureMatrix, y: Target): number {
    const out = this.rawOutputs(X);
    let s = 0;
    if (this.task === 'regression') {
      for (let i = 0; i < X.rows; i++) s += (out[i]! - y.values[i]!) ** 2;
    } else {
      const w = this.net!.spec.head === 'sigmoid' ? 2 : this.nClasses;
      for (let i = 0; i < X.rows; i++) s -= Math.log(Math.max(out[i * w + y.values[i]!]!, 1e-15));
    }
    return s / X.rows;
  }

  predict(X: FeatureMatrix): Float64Array {
    const out = this.rawOutputs(X);
    if (this.task === 'regression') return out;
    return argmaxRows(out, X.rows, this.net!.spec.head === 'sigmoid' ? 2 : this.nClasses);
  }

  predictProba(X: FeatureMatrix): Float64Array {
    if (this.task !== 'classification') throw new SomaError('USAGE', 'mlp: predictProba is for classifiers');
    return this.rawOutputs(X);
  }

  private layersFiles(saved: Saved, quantize: Quantization): { json: Uint8Array; weights: Uint8Array } {
    const files = toLayersModel(saved.spec, saved.tensors, { quantize, generatedBy: `soma ${VERSION}`, keepFloat32 });
    return { json: new TextEncoder().encode(`${JSON.stringify(files.modelJson)}\n`), weights: files.weights };
  }

  artifacts(): ArtifactFile[] {
    if (!this.saved) throw new SomaError('INTERNAL', 'mlp: artifacts requested before fit');
    const main = this.layersFiles(this.saved, this.p.quantize);
    const out: ArtifactFile[] = [
      { path: `${TFJS_DIR}/model.json`, bytes: main.json },
      { path: `${TFJS_DIR}/weights.bin`, bytes: main.weights },
    ];
    for (const c of this.checkpoints) {
      const files = this.layersFiles(c.saved, 'none');
      out.push({ path: `checkpoints/${c.name}/model.json`, bytes: files.json }, { path: `checkpoints/${c.name}/weights.bin`, bytes: files.weights });
    }
    return out;
  }

  toJSON(): EstimatorJSON {
    if (!this.saved) throw new SomaError('INTERNAL', 'mlp: toJSON called before fit');
    return {
      kind: this.kind,
      formatVersion: 1,
      params: this.params,
      // The weights live only in the layers files; the JSON holds what the format cannot say.
      state: { task: this.task, features: this.names, n_classes: this.nClasses, layers_model: `${TFJS_DIR}/model.json`, summary: this.summary() },
      artifacts: [`${TFJS_DIR}/model.json`, `${TFJS_DIR}/weights.bin`],
    };
  }

  static fromJSON(json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>): Mlp {
    const st = readEnvelope(json, 'kind', 'mlp', [1]);
    const task = st.field('task').oneOf(['classification', 'regression'] as const);
    const names = st.field('features').strings();
    const nClasses = task === 'classification' ? st.field('n_classes').int({ min: 2 }) : 0;
    const modelPath = `${TFJS_DIR}/model.json`;
    const modelBytes = files?.get(modelPath);
    const weightBytes = files?.get(`${TFJS_DIR}/weights.bin`);
    if (!modelBytes || !weightBytes) throw stateError('artifacts', shown(json.artifacts as JsonValue | undefined), `a list of its layers files ${TFJS_DIR}/model.json and ${TFJS_DIR}/weights.bin`);
    const m = new Mlp(json.params, task);
    // The layers files are TensorFlow.js's format, checked by its reader; their errors name the file.
    const layersError = (why: string): SomaError =>
      new SomaError('REGISTRY_INTEGRITY', `model/${modelPath}: the mlp's layers model (with its weights.bin) does not read: ${why}`, { details: { file: `model/${modelPath}` } });
    let parsed;
    try {
      const modelJson = JSON.parse(new TextDecoder().decode(modelBytes)) as unknown;
      if (!isJsonObject(modelJson as JsonValue)) throw layersError('not a JSON object');
      parsed = fromLayersModel({ modelJson: modelJson as JsonObject, weights: weightBytes });
    } catch (e) {
      if (e instanceof SomaError) throw e;
      throw layersError((e as Error).message);
    }
    const { spec } = parsed;
    for (const t of parsed.tensors) {
      const at = t.values.findIndex((v) => !Number.isFinite(v));
      if (at >= 0) throw layersError(`tensor ${t.name} holds ${t.values[at]} at ${at}; expected finite weights`);
    }
    if (spec.inputs !== names.length) throw layersError(`the network takes ${spec.inputs} inputs but state.features lists ${names.length}`);
    const outputs = task === 'regression' ? 'linear' : nClasses === 2 ? 'sigmoid' : 'softmax';
    if (spec.head !== outputs || (outputs === 'softmax' && spec.outputs !== nClasses)) {
      throw layersError(`its ${spec.head} head with ${spec.outputs} output(s) does not fit a ${task} model${task === 'classification' ? ` of ${nClasses} classes` : ''}`);
    }
    m.names = names;
    m.nClasses = nClasses;
    m.install(parsed);
    m.loadedSummary = st.field('summary').optional()?.object() ?? null;
    return m;
  }

  private loadedSummary: JsonObject | null = null;

  /** Early stopping on validation chose the epochs: a refit trains that many, with nothing to stop on. */
  refitParams(): JsonObject {
    const f = this.facts;
    return f && (this.params['early_stopping'] as number) > 0 && f.monitor === 'validation' ? { epochs: Math.max(1, f.bestEpoch), early_stopping: 0 } : {};
  }

  summary(): JsonObject {
    if (!this.facts) return this.loadedSummary ?? {};
    const f = this.facts;
    const simd = this.net?.gemm.simd ?? false;
    return {
      backend: simd ? 'soma-wasm-simd' : 'soma-js',
      saved_format: 'tfjs-layers',
      epochs_run: f.epochsRun,
      best_epoch: f.bestEpoch,
      best_loss: f.bestLoss,
      monitor: f.monitor,
      stopped_early: f.stoppedEarly,
      history: { train: f.trainHistory, ...(f.validationHistory.length > 0 ? { validation: f.validationHistory } : {}) },
      checkpoints: this.checkpoints.map((c) => c.name),
      fit_seconds: f.seconds,
      threads: f.threads,
      ...(f.quantization ? { quantization: f.quantization } : {}),
    };
  }
}

/** Sum of per-row losses over data in inference mode, divided by rows: the validation loss. */
function evaluateLoss(net: Network, X: Float32Array, y: Float64Array, rows: number): number {
  const K = net.spec.inputs;
  let total = 0;
  for (let start = 0; start < rows; start += net.maxRows) {
    const m = Math.min(net.maxRows, rows - start);
    net.gemm.f32.set(X.subarray(start * K, (start + m) * K), net.X);
    net.forward(m, false);
    total += net.lossOnly(m, y, start);
  }
  return total / rows;
}

/**
 * Folds the input standardisation into the first layer and the target scaling into the last, so
 * the tensors take raw features and give values on the target's scale:
 * (x - mu) / sd W + b = x (W / sd) + (b - sum_k mu_k / sd_k W_k); with batch norm after the first
 * product (no bias), the shift goes into its moving mean instead.
 */
function foldTensors(ts: WeightTensor[], mean: Float64Array, sd: Float64Array, yShift: number, yScale: number): WeightTensor[] {
  const out = ts.map((t) => ({ ...t, values: Float32Array.from(t.values) }));
  const kernel0 = out.find((t) => t.name === '0/kernel')!;
  const [K, N] = kernel0.shape as [number, number];
  const shift = new Float64Array(N);
  const original = ts.find((t) => t.name === '0/kernel')!.values;
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < N; j++) {
      const w = original[k * N + j]!;
      shift[j] += (mean[k]! / sd[k]!) * w;
      kernel0.values[k * N + j] = w / sd[k]!;
    }
  }
  const bias0 = out.find((t) => t.name === '0/bias');
  const mm0 = out.find((t) => t.name === '0/moving_mean');
  if (bias0) for (let j = 0; j < N; j++) bias0.values[j] = bias0.values[j]! - shift[j]!;
  else if (mm0) for (let j = 0; j < N; j++) mm0.values[j] = mm0.values[j]! + shift[j]!;
  if (yShift !== 0 || yScale !== 1) {
    const last = Math.max(...out.map((t) => Number(t.name.split('/')[0])));
    const kl = out.find((t) => t.name === `${last}/kernel`)!;
    const bl = out.find((t) => t.name === `${last}/bias`)!;
    for (let i = 0; i < kl.values.length; i++) kl.values[i] = kl.values[i]! * yScale;
    for (let i = 0; i < bl.values.length; i++) bl.values[i] = bl.values[i]! * yScale + yShift;
  }
  return out;
}

export const mlpSpec: EstimatorSpec = {
  name: 'mlp',
  description: 'Multi-layer perceptron (dense layers with relu/tanh/sigmoid/gelu, dropout, batch norm; Adam or SGD) on soma\'s wasm SIMD kernels, saved in the TensorFlow.js layers format.',
  tasks: ['classification', 'regression'] as Task[],
  paramsSchema: mlpParamsSchema,
  nativeCategorical: false,
  acceptsMissing: false,
  defaultPreprocess: IMPUTE_STEPS,
  create: (params: JsonObject, task: Task) => new Mlp(params, task),
  fromJSON: (json: EstimatorJSON, files?: ReadonlyMap<string, Uint8Array>) => Mlp.fromJSON(json, files),
};
