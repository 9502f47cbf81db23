// The training loop, usable from a worker or a test: builds data, model and optimizer from a run config (or a
// checkpoint), takes optimizer steps with gradient accumulation and clipping, evaluates, checkpoints, and
// reports everything through hooks. One step = one optimizer update over train.batch_size sequences.
import { tf } from './tf.ts';
import type { RunConfig } from '../../shared/config.ts';
import { MetricKey, type MetricPoint } from '../../shared/metrics.ts';
import type { StartedInfo } from '../../shared/worker-protocol.ts';
import { loadCorpus } from './data/corpus.ts';
import { Dataset, microBatches, type Batch } from './data/dataset.ts';
import { createTokenizer, tokenizerFromJson, type Tokenizer } from './data/tokenizer.ts';
import { createModel, paramCount, type ForwardResult, type LanguageModel, type ModelSpec } from './model/registry.ts';
import { evaluationLoss, trainingObjective, type Objective } from './objective.ts';
import { createOptimizer } from './optim/registry.ts';
import type { Optimizer } from './optim/optimizer.ts';
import { unbuiltOptions } from '../../shared/models/registry.ts';
import { clipByGlobalNorm, type Grads } from './optim/clip.ts';
import { learningRate } from './optim/schedule.ts';
import { Rng } from './rng.ts';
import { chooseMicroBatch } from './microbatch.ts';
import { memoryFitProblem } from './memory-fit.ts';
import { CHECKPOINT_VERSION, loadCheckpoint, saveCheckpoint, type WrittenCheckpoint } from './checkpoint/checkpoint.ts';
import { runEvalProbes } from './eval-probes.ts';

/** A failure worth one line to the user; nonFinite marks a NaN/Inf loss or gradient. */
export class TrainingError extends Error {
  constructor(
    message: string,
    readonly step: number | null,
    readonly nonFinite = false,
  ) {
    super(message);
  }
}

export interface StepResult {
  step: number;
  /** The objective without its regularisers: cross-entropy, with label smoothing and z-loss when configured. */
  loss: number;
  /** The objective's parts (ce always; label_smoothing, z_loss, dispersion, model auxiliaries when on), batch means. */
  parts: Record<string, number>;
  lr: number;
  gradNorm: number;
  clipped: boolean;
  stepMs: number;
  tokensPerS: number;
  tokensSeen: number;
}

export interface TrainerOptions {
  config: RunConfig;
  /** The tf backend in use (decides the micro-batch budget; recorded in checkpoints). */
  backend: string;
  resumeFrom?: string | null;
  /** Tokens to train on instead of config.data.corpus (tests). */
  text?: string;
}

export class Trainer {
  readonly config: RunConfig;
  readonly tokenizer: Tokenizer;
  readonly data: Dataset;
  readonly model: LanguageModel;
  readonly optimizer: Optimizer;
  readonly microBatch: number;
  readonly accumulation: number;
  readonly backend: string;
  /** Optimizer updates completed. */
  step = 0;
  tokensSeen = 0;
  lastValLoss: number | null = null;
  private dropoutRng: Rng;
  private readonly varNames = new Map<string, string>();
  private valCache: Batch[] | null = null;

  constructor(opts: TrainerOptions) {
    const restored = opts.resumeFrom ? loadCheckpoint(opts.resumeFrom) : null;
    const config = opts.config;
    if (restored) checkResumable(restored.state.config, config);
    this.config = config;
    this.backend = opts.backend;
    checkSupported(config);
    const text = opts.text ?? loadCorpus(config.data.corpus).text;
    this.tokenizer = restored ? tokenizerFromJson(restored.state.tokenizer) : createTokenizer(config.data.tokenizer, text);
    // Validation judged `auto` before the backend was chosen (and a char vocabulary before the corpus was read).
    const tooBig = memoryFitProblem(config, opts.backend, { vocabSize: this.tokenizer.vocabSize });
    if (tooBig) throw new Error(tooBig);
    this.data = new Dataset(this.tokenizer.encode(text), config.model.block_size, config.data, config.seed);
    const spec: ModelSpec = { ...config.model, vocab_size: this.tokenizer.vocabSize };
    this.model = createModel(spec, new Rng(config.seed, 0));
    this.dropoutRng = new Rng(config.seed, 2);
    const t = config.train;
    this.optimizer = createOptimizer(this.model.params, this.model.layout, t);
    for (const [name, v] of this.model.params) this.varNames.set(v.name, name);
    const mb = chooseMicroBatch(spec, t.batch_size, t.micro_batch_size, opts.backend);
    this.microBatch = mb.microBatch;
    this.accumulation = mb.accumulation;
    if (restored) {
      this.setParams(restored.params);
      this.optimizer.load(restored.optimizer);
      this.step = restored.state.step;
      this.tokensSeen = restored.state.tokensSeen;
      this.lastValLoss = restored.state.valLoss;
      this.data.restoreCursor(restored.state.dataCursor);
      this.dropoutRng = Rng.fromState(restored.state.dropoutRng);
    }
  }

  get params(): number {
    return paramCount(this.model);
  }

  get tokensPerUpdate(): number {
    return this.config.train.batch_size * this.config.model.block_size;
  }

  /** Mean loss and parts of one batch (micro-batched), with gradients accumulated into a map by parameter name. */
  private lossAndGrads(batch: Batch): { loss: number; parts: Record<string, number>; grads: Grads } {
    const vars = [...this.model.params.values()];
    const grads: Grads = new Map();
    let lossSum = 0;
    const parts: Record<string, number> = {};
    for (const part of microBatches(batch, this.microBatch)) {
      const weight = part.batch / batch.batch;
      let objective: Objective | null = null;
      const { value, grads: g } = tf.variableGrads(() => {
        objective = this.objective(part);
        for (const v of objective.parts.values()) tf.keep(v);
        return tf.mul(objective.total, weight) as tf.Scalar;
      }, vars);
      lossSum += value.dataSync()[0];
      value.dispose();
      const o = objective as Objective | null;
      for (const [name, v] of o?.parts ?? []) {
        const x = v.dataSync()[0];
        parts[name] = (parts[name] ?? 0) + x * weight;
        // Regularisers are reported apart so train/loss stays comparable with runs without them.
        const w = o!.regularisers.get(name);
        if (w !== undefined) lossSum -= w * x * weight;
        v.dispose();
      }
      for (const [vname, gi] of Object.entries(g)) {
        const name = this.varNames.get(vname)!;
        const prev = grads.get(name);
        if (prev) {
          grads.set(name, tf.add(prev, gi));
          prev.dispose();
          gi.dispose();
        } else grads.set(name, gi);
      }
    }
    return { loss: lossSum, parts, grads };
  }

  private forward(b: Batch, training: boolean): { out: ForwardResult; logits: tf.Tensor2D; targets: tf.Tensor1D } {
    const x = tf.tensor2d(b.x, [b.batch, b.T], 'int32');
    const targets = tf.tensor1d(b.y, 'int32');
    const out = this.model.forward(x, { training, dropoutSeed: () => this.dropoutRng.nextU32() });
    return { out, logits: tf.reshape(out.logits, [b.batch * b.T, -1]) as tf.Tensor2D, targets };
  }

  /** The training objective of one micro-batch, by parts. */
  private objective(b: Batch): Objective {
    const { out, logits, targets } = this.forward(b, true);
    return trainingObjective(out, logits, targets, this.config.train);
  }

  /** One optimizer update. Throws TrainingError(nonFinite) without touching the weights when loss or gradients are not finite. */
  trainStep(explicit?: Batch): StepResult {
    const started = performance.now();
    const t = this.config.train;
    // An explicit batch (parity tests) leaves the data cursor where it is.
    const batch = explicit ?? this.data.nextTrainBatch(t.batch_size);
    const { loss, parts, grads } = this.lossAndGrads(batch);
    try {
      const lr = learningRate(this.step, t);
      const { norm, clipped } = clipByGlobalNorm(grads, t.grad_clip);
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        throw new TrainingError(
          `non-finite ${Number.isFinite(loss) ? 'gradient norm' : 'loss'} at step ${this.step + 1} (loss ${loss}, grad norm ${norm}); weights left at step ${this.step}`,
          this.step + 1,
          true,
        );
      }
      this.optimizer.step(grads, lr);
      this.step += 1;
      this.tokensSeen += this.tokensPerUpdate;
      const stepMs = performance.now() - started;
      return {
        step: this.step,
        loss,
        parts,
        lr,
        gradNorm: norm,
        clipped,
        stepMs,
        tokensPerS: (this.tokensPerUpdate * 1000) / stepMs,
        tokensSeen: this.tokensSeen,
      };
    } finally {
      for (const g of grads.values()) g.dispose();
    }
  }

  /** Mean cross-entropy over the fixed validation batches. */
  evaluate(): number {
    this.valCache ??= this.data.valBatches(this.config.eval.batches, this.config.train.batch_size);
    let sum = 0;
    let n = 0;
    for (const batch of this.valCache) {
      for (const part of microBatches(batch, this.microBatch)) {
        const l = tf.tidy(() => {
          const { logits, targets } = this.forward(part, false);
          return evaluationLoss(logits, targets);
        });
        sum += l.dataSync()[0] * part.batch;
        n += part.batch;
        l.dispose();
      }
    }
    this.lastValLoss = sum / n;
    return this.lastValLoss;
  }

  /** Current weights by name (copies). */
  snapshot(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.model.params) out.set(name, (v.dataSync() as Float32Array).slice());
    return out;
  }

  setParams(values: Map<string, Float32Array>): void {
    for (const [name, v] of this.model.params) {
      const data = values.get(name);
      if (!data) throw new Error(`checkpoint is missing parameter ${name}`);
      if (data.length !== v.size) throw new Error(`checkpoint parameter ${name} has ${data.length} values, expected ${v.size}`);
      tf.tidy(() => v.assign(tf.tensor(data, v.shape, 'float32')));
    }
  }

  saveCheckpoint(dir: string): WrittenCheckpoint {
    return saveCheckpoint(
      dir,
      {
        format: 'loupe-checkpoint',
        version: CHECKPOINT_VERSION,
        step: this.step,
        config: this.config,
        vocabSize: this.tokenizer.vocabSize,
        tokenizer: this.tokenizer.toJSON(),
        dropoutRng: this.dropoutRng.state(),
        dataCursor: this.data.cursor(),
        tokensSeen: this.tokensSeen,
        valLoss: this.lastValLoss,
        backend: this.backend,
      },
      this.snapshot(),
      this.optimizer.state(),
    );
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}

/** A run resumes with its own recipe; only schedule length and cadence (steps, eval, checkpoint) may change. */
function checkResumable(saved: RunConfig, now: RunConfig): void {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (!same(saved.model, now.model)) throw new TrainingError('resumeFrom: the checkpoint was trained with a different model config', null);
  if (!same(saved.data, now.data)) throw new TrainingError('resumeFrom: the checkpoint was trained on different data settings', null);
  if (saved.seed !== now.seed) throw new TrainingError('resumeFrom: the checkpoint was trained with a different seed', null);
}

/** Configs are refused at validation; this covers callers that built one without it (tests, tools). */
function checkSupported(config: RunConfig): void {
  const first = unbuiltOptions(config)[0];
  if (first) throw new TrainingError(`${first.path}: ${first.message}`, null);
}

export function stepMetrics(r: StepResult): MetricPoint[] {
  const s = r.step;
  return [
    // train/ce first: the overfitting detector takes it over train/loss once it has seen one.
    ...Object.entries(r.parts).map(([part, value]) => ({ step: s, key: `train/${part}`, value })),
    { step: s, key: MetricKey.trainLoss, value: r.loss },
    { step: s, key: MetricKey.lr, value: r.lr },
    { step: s, key: MetricKey.gradNorm, value: r.gradNorm },
    { step: s, key: MetricKey.clipped, value: r.clipped ? 1 : 0 },
    { step: s, key: MetricKey.tokensPerS, value: r.tokensPerS },
    { step: s, key: MetricKey.stepMs, value: r.stepMs },
    { step: s, key: MetricKey.tokensSeen, value: r.tokensSeen },
  ];
}

export interface TrainHooks {
  /** The backend fields are the worker's to add: the loop does not know why its backend was chosen. */
  started(info: Omit<StartedInfo, 'backend' | 'backendReason'>): void;
  metrics(points: MetricPoint[]): void;
  checkpoint(c: WrittenCheckpoint & { step: number; valLoss: number | null }): void;
  /** Polled between steps. */
  control(): 'stop' | 'pause' | null;
}

export interface TrainOutcome {
  status: 'finished' | 'stopped' | 'paused';
  step: number;
  reason: string | null;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Runs a trainer to config.train.steps: eval every eval.every (and at step 0, the end and on stop), checkpoint every
 * checkpoint.every and at the end (also when stopped or paused). Yields to the event loop between steps so
 * stop/pause messages arrive. Errors propagate (TrainingError for user-facing ones).
 */
export async function runTraining(trainer: Trainer, checkpointDir: string | null, hooks: TrainHooks): Promise<TrainOutcome> {
  const { train: t, eval: ev, checkpoint: ck } = trainer.config;
  hooks.started({
    params: trainer.params,
    tokensPerUpdate: trainer.tokensPerUpdate,
    microBatch: trainer.microBatch,
    accumulation: trainer.accumulation,
    startStep: trainer.step,
  });
  let best = Infinity;
  let evalsWithoutGain = 0;
  let lastSaved = -1;
  let lastEval = -1;
  const save = (): void => {
    if (!checkpointDir || lastSaved === trainer.step) return;
    const c = trainer.saveCheckpoint(checkpointDir);
    lastSaved = trainer.step;
    hooks.checkpoint({ ...c, step: trainer.step, valLoss: trainer.lastValLoss });
  };
  const evaluate = async (): Promise<boolean> => {
    const v = trainer.evaluate();
    lastEval = trainer.step;
    hooks.metrics([
      { step: trainer.step, key: MetricKey.valLoss, value: v },
      { step: trainer.step, key: MetricKey.valPpl, value: Math.exp(v) },
      // eval.generation / eval.diagnostics: sampling and condensation, neither touching weights nor the training RNG;
      // a stop or pause request cuts the sampling short (that eval then has no gen/* points).
      ...(await runEvalProbes(trainer, () => hooks.control() !== null)),
    ]);
    if (v < best) {
      best = v;
      evalsWithoutGain = 0;
    } else evalsWithoutGain += 1;
    return t.early_stopping_patience > 0 && evalsWithoutGain >= t.early_stopping_patience;
  };
  if (trainer.step === 0) await evaluate();
  while (trainer.step < t.steps) {
    await yieldToEventLoop();
    const request = hooks.control();
    if (request) {
      // A stopped run ends with a val figure for where it stopped (its best and final are not the init value's).
      if (request === 'stop' && lastEval !== trainer.step) await evaluate();
      save();
      return { status: request === 'stop' ? 'stopped' : 'paused', step: trainer.step, reason: null };
    }
    const r = trainer.trainStep();
    hooks.metrics(stepMetrics(r));
    const last = trainer.step === t.steps;
    const stopEarly = trainer.step % ev.every === 0 || last ? await evaluate() : false;
    if (trainer.step % ck.every === 0 || last || stopEarly) save();
    if (stopEarly && !last) {
      return { status: 'finished', step: trainer.step, reason: `early stopping: no val improvement in ${t.early_stopping_patience} evals` };
    }
  }
  save();
  return { status: 'finished', step: trainer.step, reason: null };
}
