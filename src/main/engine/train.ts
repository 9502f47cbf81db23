// The training loop, usable from a worker or a test: builds data, model and optimizer from a run config (or a
// checkpoint), takes optimizer steps with gradient accumulation and clipping, evaluates, checkpoints, and
// reports everything through hooks. One step = one optimizer update over train.batch_size sequences.
import { tf } from './tf.ts';
import type { RunConfig } from '../../shared/config.ts';
import { MetricKey, expertLoadKey, type MetricPoint } from '../../shared/metrics.ts';
import type { StartedInfo } from '../../shared/worker-protocol.ts';
import { microBatches, type Batch, type Dataset } from './data/dataset.ts';
import { tokenizerFromJson, type Tokenizer } from './data/tokenizer.ts';
import { loadTrainingData } from './data/training-data.ts';
import { IGNORE_INDEX, type SftDataset, type SftRecord } from './data/sft.ts';
import { probeSft } from './sft-probe.ts';
import { createModel, paramCount, type ForwardResult, type LanguageModel, type ModelSpec } from './model/registry.ts';
import { evaluationLoss, trainingObjective, type Objective } from './objective.ts';
import { createOptimizer } from './optim/registry.ts';
import type { Optimizer } from './optim/optimizer.ts';
import { unbuiltOptions } from '../../shared/models/registry.ts';
import { clipByGlobalNorm, clipScale, globalNormTensor, scaleGrads, type Grads } from './optim/clip.ts';
import { learningRate } from './optim/schedule.ts';
import { Rng } from './rng.ts';
import { chooseMicroBatch } from './microbatch.ts';
import { memoryFitProblem } from './memory-fit.ts';
import { CHECKPOINT_VERSION, loadCheckpoint, saveCheckpoint, type CheckpointState, type WrittenCheckpoint } from './checkpoint/checkpoint.ts';
import { readNamed } from './readback.ts';
import { runEvalProbes } from './eval-probes.ts';
import type { CondensationStats } from '../../shared/generation/condensation.ts';
import { shardOf, shardSize } from './parallel/shard.ts';

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

/** An update queued on the device whose figures have not been read yet (see Trainer.enqueueStep). */
export interface PendingStep {
  step: number;
  lr: number;
  /** performance.now() when it was queued. */
  started: number;
  tokensSeen: number;
  /** [loss, gradient norm, ...the objective's parts in partNames order] on the device. */
  readout: tf.Tensor1D;
  partNames: string[];
}

export interface TrainerOptions {
  config: RunConfig;
  /** The tf backend in use (decides the micro-batch budget; recorded in checkpoints). */
  backend: string;
  resumeFrom?: string | null;
  /** A checkpoint whose weights and tokenizer a fresh run starts from, with a fresh optimizer (init_from). */
  initFrom?: string | null;
  /** Tokens to train on instead of config.data.corpus (tests). */
  text?: string;
  /** Data-parallel ranks sharing each batch (engine/parallel): micro-batches are chosen for this rank's share. */
  ranks?: number;
}

/** How a data-parallel rank takes part in a step (engine/parallel); a single worker has none. */
export interface ParallelRank {
  readonly rank: number;
  readonly ranks: number;
  /** Rank 0 tells the replicas to take the step (checking them first when due); replicas have nothing to do. */
  beginStep(): Promise<void>;
  /** The same for an evaluation of the validation loss. */
  beginEval(): Promise<void>;
  /** This rank's shared slot, to hold its flat gradients, loss and parts. */
  slot(): Float32Array;
  /** The first `length` floats of every rank's slot summed in rank order: the same bits on every rank. */
  sum(length: number): Promise<Float32Array>;
}

export class Trainer {
  readonly config: RunConfig;
  readonly tokenizer: Tokenizer;
  readonly data: Dataset | SftDataset;
  /** Held-out fine-tuning examples the SFT probe answers at each eval; null when pretraining. */
  readonly sftHeldOut: SftRecord[] | null;
  readonly model: LanguageModel;
  readonly optimizer: Optimizer;
  readonly microBatch: number;
  readonly accumulation: number;
  readonly backend: string;
  /** Optimizer updates completed. */
  step = 0;
  tokensSeen = 0;
  lastValLoss: number | null = null;
  /** A mixture-of-experts model's share of routed slots per expert at the last eval, [layer][expert]; null when dense. */
  lastExpertLoad: number[][] | null = null;
  private dropoutRng: Rng;
  /** The dropout stream of this rank's share of a data-parallel step (see stepShared). */
  private shardRng: Rng | null = null;
  /** Set (by engine/parallel) when this trainer is one rank of a data-parallel group. */
  parallel: ParallelRank | null = null;
  private readonly varNames = new Map<string, string>();
  private valCache: Batch[] | null = null;

  constructor(opts: TrainerOptions) {
    const restored = opts.resumeFrom ? loadCheckpoint(opts.resumeFrom) : null;
    const config = opts.config;
    if (restored) checkResumable(restored.state.config, config);
    this.config = config;
    this.backend = opts.backend;
    checkSupported(config);
    const init = !restored && opts.initFrom ? loadCheckpoint(opts.initFrom) : null;
    const source = restored ?? init;
    // A resumed or initialised run keeps its source's tokenizer, so token ids mean what the weights learned.
    const loaded = loadTrainingData(config.data, config.model.block_size, config.seed, {
      text: opts.text,
      tokenizer: source ? tokenizerFromJson(source.state.tokenizer) : undefined,
      // Validation judged `auto` before the backend was chosen (and a char vocabulary before the corpus was read);
      // judged here once the vocabulary is known, before the data is split or the model built.
      beforeData: (tokenizer) => {
        const tooBig = memoryFitProblem(config, opts.backend, { vocabSize: tokenizer.vocabSize });
        if (tooBig) throw new Error(tooBig);
      },
    });
    this.tokenizer = loaded.tokenizer;
    this.data = loaded.dataset;
    this.sftHeldOut = loaded.kind === 'sft' ? loaded.dataset.valRecords : null;
    const spec: ModelSpec = { ...config.model, vocab_size: this.tokenizer.vocabSize };
    this.model = createModel(spec, new Rng(config.seed, 0));
    this.dropoutRng = new Rng(config.seed, 2);
    const t = config.train;
    this.optimizer = createOptimizer(this.model.params, this.model.layout, t);
    for (const [name, v] of this.model.params) this.varNames.set(v.name, name);
    const mb = chooseMicroBatch(spec, shardSize(t.batch_size, opts.ranks ?? 1), t.micro_batch_size, opts.backend);
    this.microBatch = mb.microBatch;
    this.accumulation = mb.accumulation;
    if (init) {
      if (init.spec.vocab_size !== spec.vocab_size)
        throw new TrainingError(`init_from: the source's vocabulary has ${init.spec.vocab_size} tokens, this run's ${spec.vocab_size}`, null);
      this.setParams(init.params);
    }
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

  /**
   * Loss (the objective less its regularisers) and parts of one batch (micro-batched) as device scalars, batch means,
   * with gradients accumulated into a map by parameter name. Nothing is read back to the host here. A data-parallel
   * rank passes its share of the batch and the whole batch's size, so the ranks' sums add up to the batch mean.
   */
  private lossAndGrads(batch: Batch, total = batch.batch): { loss: tf.Scalar; parts: Map<string, tf.Scalar>; grads: Grads } {
    const vars = [...this.model.params.values()];
    const grads: Grads = new Map();
    let loss: tf.Scalar | null = null;
    const parts = new Map<string, tf.Scalar>();
    const accumulate = (sum: tf.Scalar | null | undefined, x: tf.Scalar): tf.Scalar => {
      if (sum == null) return x;
      const total = tf.add(sum, x) as tf.Scalar;
      sum.dispose();
      x.dispose();
      return total;
    };
    for (const part of microBatches(batch, this.microBatch)) {
      const weight = part.batch / total;
      let objective: Objective | null = null;
      const { value, grads: g } = tf.variableGrads(() => {
        objective = this.objective(part);
        for (const v of objective.parts.values()) tf.keep(v);
        return tf.mul(objective.total, weight) as tf.Scalar;
      }, vars);
      const o = objective as Objective | null;
      const [partLoss, ...weighted] = tf.tidy(() => {
        let l: tf.Scalar = value;
        const each: tf.Scalar[] = [];
        for (const [name, v] of o?.parts ?? []) {
          each.push(tf.mul(v, weight) as tf.Scalar);
          // Regularisers are reported apart so train/loss stays comparable with runs without them.
          const w = o!.regularisers.get(name);
          if (w !== undefined) l = tf.sub(l, tf.mul(v, w * weight)) as tf.Scalar;
        }
        return [l, ...each];
      });
      if (partLoss !== value) value.dispose();
      [...(o?.parts.keys() ?? [])].forEach((name, i) => parts.set(name, accumulate(parts.get(name), weighted[i]!)));
      for (const v of o?.parts.values() ?? []) v.dispose();
      loss = accumulate(loss, partLoss!);
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
    return { loss: loss!, parts, grads };
  }

  private forward(b: Batch, training: boolean): { out: ForwardResult; logits: tf.Tensor2D; targets: tf.Tensor1D } {
    const x = tf.tensor2d(b.x, [b.batch, b.T], 'int32');
    const targets = tf.tensor1d(b.y, 'int32');
    const rng = (training && this.shardRng) || this.dropoutRng;
    const out = this.model.forward(x, { training, dropoutSeed: () => rng.nextU32() });
    return { out, logits: tf.reshape(out.logits, [b.batch * b.T, -1]) as tf.Tensor2D, targets };
  }

  /** The training objective of one micro-batch, by parts. */
  private objective(b: Batch): Objective {
    const { out, logits, targets } = this.forward(b, true);
    return trainingObjective(out, logits, targets, this.config.train, this.sftHeldOut !== null);
  }

  /** One optimizer update. Throws TrainingError(nonFinite) without touching the weights when loss or gradients are not finite. */
  trainStep(explicit?: Batch): StepResult {
    const started = performance.now();
    const t = this.config.train;
    // An explicit batch (parity tests) leaves the data cursor where it is.
    const batch = explicit ?? this.data.nextTrainBatch(t.batch_size);
    const { loss: lossT, parts: partsT, grads } = this.lossAndGrads(batch);
    let read: number[];
    try {
      const stacked = tf.stack([lossT, ...partsT.values()]);
      read = [...stacked.dataSync()];
      stacked.dispose();
    } catch (e) {
      for (const g of grads.values()) g.dispose();
      throw e;
    } finally {
      lossT.dispose();
      for (const p of partsT.values()) p.dispose();
    }
    const [loss, ...values] = read;
    return this.update(grads, loss!, Object.fromEntries([...partsT.keys()].map((name, i) => [name, values[i]!])), started);
  }

  /** Clips, checks and applies summed gradients (which it disposes): the end of every step, data-parallel or not. */
  private update(grads: Grads, loss: number, parts: Record<string, number>, started: number): StepResult {
    const t = this.config.train;
    try {
      const lr = learningRate(this.step, t);
      const { norm } = clipByGlobalNorm(grads, t.grad_clip);
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
      return this.result(this.step, loss, parts, lr, norm, performance.now() - started, this.tokensSeen);
    } finally {
      for (const g of grads.values()) g.dispose();
    }
  }

  /**
   * One optimizer update as one rank of a data-parallel group: every rank reads the same batch, computes the
   * gradients of its share, and the ranks sum them through shared memory in rank order; each then clips and steps
   * alike, so the replicas stay identical without sending weights. Only rank 0's figures are reported.
   */
  async stepShared(): Promise<StepResult> {
    const dp = this.parallel;
    if (!dp) throw new Error('stepShared needs a data-parallel group');
    await dp.beginStep();
    const started = performance.now();
    const batch = this.data.nextTrainBatch(this.config.train.batch_size);
    // One draw per step on every rank keeps the run's dropout stream (and so its checkpoints) the same on all.
    this.shardRng = new Rng(this.dropoutRng.nextU32(), 16 + dp.rank);
    const slot = dp.slot();
    const n = this.flatLength;
    let partNames: string[];
    try {
      const { loss, parts, grads } = this.lossAndGrads(shardOf(batch, dp.rank, dp.ranks), batch.batch);
      try {
        partNames = [...parts.keys()];
        if (n + 1 + partNames.length > slot.length) throw new Error(`the shared slot holds ${slot.length} floats, the step needs ${n + 1 + partNames.length}`);
        let off = 0;
        for (const [name, v] of this.model.params) {
          const g = grads.get(name);
          if (g) slot.set(g.dataSync() as Float32Array, off);
          else slot.fill(0, off, off + v.size);
          off += v.size;
        }
        const stacked = tf.stack([loss, ...parts.values()]);
        slot.set(stacked.dataSync() as Float32Array, n);
        stacked.dispose();
      } finally {
        loss.dispose();
        for (const p of parts.values()) p.dispose();
        for (const g of grads.values()) g.dispose();
      }
    } finally {
      this.shardRng = null;
    }
    const total = await dp.sum(n + 1 + partNames.length);
    const grads: Grads = new Map();
    let off = 0;
    for (const [name, v] of this.model.params) {
      // A copy: the cpu backend keeps the array it is given, and the shared result is rewritten next step.
      grads.set(name, tf.tensor(total.slice(off, off + v.size), v.shape, 'float32'));
      off += v.size;
    }
    const parts = Object.fromEntries(partNames.map((name, i) => [name, total[n + 1 + i]!]));
    return this.update(grads, total[n]!, parts, started);
  }

  /** Floats in all the parameters together: the length of a flat gradient. */
  get flatLength(): number {
    let n = 0;
    for (const v of this.model.params.values()) n += v.size;
    return n;
  }

  /** The weights, flat in parameter order, into `out` (replica checks compare these bit for bit). */
  flatParams(out: Float32Array): void {
    let off = 0;
    for (const v of this.model.params.values()) {
      out.set(v.dataSync() as Float32Array, off);
      off += v.size;
    }
  }

  private result(step: number, loss: number, parts: Record<string, number>, lr: number, norm: number, stepMs: number, tokensSeen: number): StepResult {
    const t = this.config.train;
    return {
      step,
      loss,
      parts,
      lr,
      gradNorm: norm,
      clipped: t.grad_clip > 0 && norm > t.grad_clip,
      stepMs,
      tokensPerS: (this.tokensPerUpdate * 1000) / stepMs,
      tokensSeen,
    };
  }

  /**
   * Queues one optimizer update on the device without reading anything back: clipping is scaled on the device and
   * the loss, its parts and the gradient norm stay there for settle() to read later, so the next step can be queued
   * while the device still works on this one. A non-finite step is reported by settle(), before anything is saved.
   */
  enqueueStep(explicit?: Batch): PendingStep {
    const started = performance.now();
    const t = this.config.train;
    const batch = explicit ?? this.data.nextTrainBatch(t.batch_size);
    const lr = learningRate(this.step, t);
    const { loss, parts, grads } = this.lossAndGrads(batch);
    let readout: tf.Tensor1D;
    try {
      readout = tf.tidy(() => {
        const norm = globalNormTensor(grads);
        this.optimizer.step(t.grad_clip > 0 ? scaleGrads(grads, clipScale(norm, t.grad_clip)) : grads, lr);
        return tf.stack([loss, norm, ...parts.values()]) as tf.Tensor1D;
      });
    } finally {
      loss.dispose();
      for (const p of parts.values()) p.dispose();
      for (const g of grads.values()) g.dispose();
    }
    this.step += 1;
    this.tokensSeen += this.tokensPerUpdate;
    return { step: this.step, lr, started, tokensSeen: this.tokensSeen, readout, partNames: [...parts.keys()] };
  }

  /** Reads a queued step's figures (asynchronously); its time runs from when it was queued. */
  async settle(p: PendingStep): Promise<StepResult> {
    let values: Float32Array;
    try {
      values = (await p.readout.data()) as Float32Array;
    } finally {
      p.readout.dispose();
    }
    const [loss, norm, ...rest] = values as unknown as number[];
    if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
      throw new TrainingError(
        `non-finite ${Number.isFinite(loss) ? 'gradient norm' : 'loss'} at step ${p.step} (loss ${loss}, grad norm ${norm}); nothing after step ${p.step - 1} was saved`,
        p.step,
        true,
      );
    }
    const parts = Object.fromEntries(p.partNames.map((name, i) => [name, rest[i]!]));
    return this.result(p.step, loss!, parts, p.lr, norm!, performance.now() - p.started, p.tokensSeen);
  }

  /** Mean cross-entropy over the fixed validation batches. */
  evaluate(): number {
    let sum = 0;
    let n = 0;
    const load = new LoadMean();
    for (const { loss, batch, expertLoad, sequences } of this.valLosses()) {
      sum += loss.dataSync()[0] * batch;
      n += batch;
      loss.dispose();
      if (expertLoad) load.add(expertLoad.arraySync(), sequences);
      expertLoad?.dispose();
    }
    this.lastExpertLoad = load.mean();
    this.lastValLoss = sum / n;
    return this.lastValLoss;
  }

  /** evaluate() reading its losses asynchronously (the same arithmetic; what GPU backends need). */
  async evaluateAsync(): Promise<number> {
    if (this.parallel) return this.evaluateShared();
    let sum = 0;
    let n = 0;
    const load = new LoadMean();
    for (const { loss, batch, expertLoad, sequences } of this.valLosses()) {
      try {
        sum += (await loss.data())[0] * batch;
        if (expertLoad) load.add(await expertLoad.array(), sequences);
      } finally {
        loss.dispose();
        expertLoad?.dispose();
      }
      n += batch;
    }
    this.lastExpertLoad = load.mean();
    this.lastValLoss = sum / n;
    return this.lastValLoss;
  }

  /**
   * evaluate() split across a data-parallel group: rank r computes every ranks-th micro-batch's loss (and expert load)
   * into its slot, zeros elsewhere; the slots are summed, and rank 0 adds the parts in micro-batch order as evaluate()
   * does, so the figure does not depend on which rank computed what.
   */
  async evaluateShared(): Promise<number> {
    const dp = this.parallel!;
    await dp.beginEval();
    const slot = dp.slot();
    const parts = this.valParts();
    const moe = this.config.model.moe;
    // Per part: loss, weight, the expert load's shape [MoE blocks ≤ n_layer, experts] and its values.
    const stride = 4 + (moe ? this.config.model.n_layer * moe.experts : 0);
    const length = stride * parts.length;
    if (length > slot.length) throw new Error(`the shared slot holds ${slot.length} floats, the evaluation needs ${length}`);
    slot.fill(0, 0, length);
    parts.forEach((part, i) => {
      if (i % dp.ranks !== dp.rank) return;
      const { loss, expertLoad } = this.valLoss(part);
      const o = stride * i;
      slot[o] = loss.dataSync()[0]!;
      slot[o + 1] = this.sftHeldOut ? countTargets(part.y) : part.batch;
      if (expertLoad) {
        slot[o + 2] = expertLoad.shape[0];
        slot[o + 3] = expertLoad.shape[1];
        slot.set(expertLoad.dataSync() as Float32Array, o + 4);
      }
      loss.dispose();
      expertLoad?.dispose();
    });
    const total = await dp.sum(length);
    let sum = 0;
    let n = 0;
    const load = new LoadMean();
    parts.forEach((part, i) => {
      const o = stride * i;
      sum += total[o]! * total[o + 1]!;
      n += total[o + 1]!;
      const [blocks, experts] = [total[o + 2]!, total[o + 3]!];
      if (blocks > 0) load.add(Array.from({ length: blocks }, (_, b) => Array.from(total.subarray(o + 4 + b * experts, o + 4 + (b + 1) * experts))), part.batch);
    });
    this.lastExpertLoad = load.mean();
    this.lastValLoss = sum / n;
    return this.lastValLoss;
  }

  private valParts(): Batch[] {
    this.valCache ??= this.data.valBatches(this.config.eval.batches, this.config.train.batch_size);
    return this.valCache.flatMap((batch) => microBatches(batch, this.microBatch));
  }

  private valLoss(part: Batch): { loss: tf.Scalar; expertLoad: tf.Tensor2D | null } {
    const [loss, expertLoad] = tf.tidy(() => {
      const { out, logits, targets } = this.forward(part, false);
      const l = evaluationLoss(logits, targets, this.sftHeldOut !== null);
      return out.expertLoad ? [l, out.expertLoad] : [l];
    }) as [tf.Scalar, tf.Tensor2D?];
    return { loss, expertLoad: expertLoad ?? null };
  }

  private *valLosses(): Generator<{ loss: tf.Scalar; batch: number; expertLoad: tf.Tensor2D | null; sequences: number }> {
    for (const part of this.valParts()) {
      // Masked means are per counted target, so parts weigh by their counted targets (PyTorch's mean over all).
      // Every position is routed, counted or not, so the load weighs by sequences.
      yield { ...this.valLoss(part), batch: this.sftHeldOut ? countTargets(part.y) : part.batch, sequences: part.batch };
    }
  }

  /** Current weights by name (copies). */
  snapshot(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.model.params) out.set(name, (v.dataSync() as Float32Array).slice());
    return out;
  }

  /** snapshot() read asynchronously. */
  async snapshotAsync(): Promise<Map<string, Float32Array>> {
    return readNamed(this.model.params);
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
    return saveCheckpoint(dir, this.checkpointState(), this.snapshot(), this.optimizer.state());
  }

  /** saveCheckpoint() with the weights and optimizer state read asynchronously (GPU backends cannot read synchronously). */
  async saveCheckpointAsync(dir: string): Promise<WrittenCheckpoint> {
    const state = this.checkpointState();
    const [params, optimizer] = await Promise.all([this.snapshotAsync(), this.optimizer.stateAsync()]);
    return saveCheckpoint(dir, state, params, optimizer);
  }

  private checkpointState(): CheckpointState {
    return {
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
    };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}

/** A weighted mean of per-layer expert loads over the validation micro-batches. */
class LoadMean {
  private sum: number[][] | null = null;
  private weight = 0;

  add(load: number[][], weight: number): void {
    this.sum ??= load.map((row) => row.map(() => 0));
    load.forEach((row, i) => row.forEach((v, e) => (this.sum![i]![e]! += v * weight)));
    this.weight += weight;
  }

  mean(): number[][] | null {
    return this.sum && this.sum.map((row) => row.map((v) => v / this.weight));
  }
}

/**
 * eval/expert_load/<e>: expert e's share of the routed slots (tokens × top_k) over the validation batches, averaged
 * over blocks (1/experts each when balanced); eval/expert_load/layer_<i>/<e> the same per block.
 */
export function expertLoadMetrics(step: number, load: number[][] | null): MetricPoint[] {
  if (!load || load.length === 0) return [];
  const experts = load[0]!.length;
  const out: MetricPoint[] = [];
  for (let e = 0; e < experts; e++) out.push({ step, key: expertLoadKey(e), value: load.reduce((a, row) => a + row[e]!, 0) / load.length });
  load.forEach((row, i) => row.forEach((value, e) => out.push({ step, key: expertLoadKey(e, i), value })));
  return out;
}

function countTargets(y: Int32Array): number {
  let n = 0;
  for (let i = 0; i < y.length; i++) if (y[i] !== IGNORE_INDEX) n++;
  return n;
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
  /** Per-layer similarity histograms of an eval (eval.diagnostics). */
  condensation?(step: number, stats: CondensationStats): void;
  /** Polled between steps. */
  control(): 'stop' | 'pause' | null;
}

export interface TrainOutcome {
  status: 'finished' | 'stopped' | 'paused';
  step: number;
  reason: string | null;
}

/** The fine-tuning probe's sft/* values at the trainer's step (none when pretraining or cut short). */
async function sftProbePoints(trainer: Trainer, cancelled: () => boolean): Promise<MetricPoint[]> {
  if (!trainer.sftHeldOut) return [];
  const probe = await probeSft(trainer.model, trainer.tokenizer, trainer.sftHeldOut, trainer.config.data.template, cancelled);
  if (!probe) return [];
  return Object.entries(probe.metrics).map(([key, value]) => ({ step: trainer.step, key, value }));
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * How many updates may be queued on the device before the oldest one's figures are read. On GPU backends reading a
 * step back stalls the device, so the loop reads a step while later ones run; elsewhere each step is read as it ends.
 */
export function readLag(backend: string): number {
  return backend === 'webgpu' ? 2 : 0;
}

/**
 * Runs a trainer to config.train.steps: eval every eval.every (and at step 0, the end and on stop), checkpoint every
 * checkpoint.every and at the end (also when stopped or paused). Yields to the event loop between steps so
 * stop/pause messages arrive. Errors propagate (TrainingError for user-facing ones). Every host read here is
 * asynchronous; queued steps are all read (and a non-finite one raised) before any eval, checkpoint or stop.
 */
export async function runTraining(trainer: Trainer, checkpointDir: string | null, hooks: TrainHooks): Promise<TrainOutcome> {
  const { train: t, eval: ev, checkpoint: ck } = trainer.config;
  hooks.started({
    params: trainer.params,
    tokensPerUpdate: trainer.tokensPerUpdate,
    microBatch: trainer.microBatch,
    accumulation: trainer.accumulation,
    workers: trainer.parallel?.ranks ?? 1,
    startStep: trainer.step,
  });
  const lag = readLag(trainer.backend);
  const queued: PendingStep[] = [];
  // Queued steps overlap, so each is timed as the mean over the steps settled since the queue was last empty.
  let windowStart = performance.now();
  let settledInWindow = 0;
  const settleOne = async (): Promise<void> => {
    const r = await trainer.settle(queued.shift()!);
    settledInWindow += 1;
    const stepMs = (performance.now() - windowStart) / settledInWindow;
    hooks.metrics(stepMetrics({ ...r, stepMs, tokensPerS: (trainer.tokensPerUpdate * 1000) / stepMs }));
  };
  const drain = async (): Promise<void> => {
    while (queued.length > 0) await settleOne();
  };
  let best = Infinity;
  let evalsWithoutGain = 0;
  let lastSaved = -1;
  let lastEval = -1;
  const save = async (): Promise<void> => {
    if (!checkpointDir || lastSaved === trainer.step) return;
    const c = await trainer.saveCheckpointAsync(checkpointDir);
    lastSaved = trainer.step;
    hooks.checkpoint({ ...c, step: trainer.step, valLoss: trainer.lastValLoss });
  };
  const evaluate = async (): Promise<boolean> => {
    const v = await trainer.evaluateAsync();
    lastEval = trainer.step;
    hooks.metrics([
      { step: trainer.step, key: MetricKey.valLoss, value: v },
      { step: trainer.step, key: MetricKey.valPpl, value: Math.exp(v) },
      ...expertLoadMetrics(trainer.step, trainer.lastExpertLoad),
      // eval.generation / eval.diagnostics: sampling and condensation, neither touching weights nor the training RNG;
      // a stop or pause request cuts the sampling short (that eval then has no gen/* points).
      ...(await runEvalProbes(trainer, () => hooks.control() !== null, (stats) => hooks.condensation?.(trainer.step, stats))),
      ...(await sftProbePoints(trainer, () => hooks.control() !== null)),
    ]);
    if (v < best) {
      best = v;
      evalsWithoutGain = 0;
    } else evalsWithoutGain += 1;
    return t.early_stopping_patience > 0 && evalsWithoutGain >= t.early_stopping_patience;
  };
  try {
    if (trainer.step === 0) await evaluate();
    while (trainer.step < t.steps) {
      await yieldToEventLoop();
      const request = hooks.control();
      if (request) {
        await drain();
        // A stopped run ends with a val figure for where it stopped (its best and final are not the init value's).
        if (request === 'stop' && lastEval !== trainer.step) await evaluate();
        await save();
        return { status: request === 'stop' ? 'stopped' : 'paused', step: trainer.step, reason: null };
      }
      if (trainer.parallel) hooks.metrics(stepMetrics(await trainer.stepShared()));
      else if (lag === 0) hooks.metrics(stepMetrics(trainer.trainStep()));
      else {
        if (queued.length === 0) {
          windowStart = performance.now();
          settledInWindow = 0;
        }
        queued.push(trainer.enqueueStep());
        if (queued.length > lag) await settleOne();
      }
      const last = trainer.step === t.steps;
      const evalNow = trainer.step % ev.every === 0 || last;
      const saveNow = trainer.step % ck.every === 0 || last;
      if (evalNow || saveNow) await drain();
      const stopEarly = evalNow ? await evaluate() : false;
      if (saveNow || stopEarly) await save();
      if (stopEarly && !last) {
        return { status: 'finished', step: trainer.step, reason: `early stopping: no val improvement in ${t.early_stopping_patience} evals` };
      }
    }
    await drain();
    await save();
    return { status: 'finished', step: trainer.step, reason: null };
  } finally {
    for (const q of queued) q.readout.dispose();
  }
}
