// The shared memory of a data-parallel group: one gradient slot per rank, a result buffer and a barrier, all in
// SharedArrayBuffers. Sums run in rank order 0..N−1 and each element is summed by exactly one rank, so every rank
// reads the same bits whatever the thread timing: a run is reproducible for a given worker count.

/** What one rank's threads share: pass it to a replica through workerData (SharedArrayBuffers are shared, not copied). */
export interface SharedSumBuffers {
  ranks: number;
  /** Floats per slot: the gradient length plus room for the loss and its parts. */
  slotLength: number;
  /** ranks × slotLength float32: each rank writes only its own slot. */
  slots: SharedArrayBuffer;
  /** slotLength float32: the summed values, each range written by the rank that owns it. */
  result: SharedArrayBuffer;
  /** Int32 control words (see Ctrl). */
  control: SharedArrayBuffer;
}

/** Floats each slot keeps beyond the gradients: the loss and the objective's parts. */
export const SLOT_EXTRA = 64;

const Ctrl = { Arrived: 0, Generation: 1, Aborted: 2, Command: 3, Words: 4 } as const;

/** What rank 0 asks of the replicas at the next barrier. */
export const Command = { Step: 1, Check: 2, Exit: 3, Eval: 4 } as const;
export type Command = (typeof Command)[keyof typeof Command];

export function allocateSharedSum(ranks: number, gradLength: number): SharedSumBuffers {
  const slotLength = gradLength + SLOT_EXTRA;
  return {
    ranks,
    slotLength,
    slots: new SharedArrayBuffer(ranks * slotLength * 4),
    result: new SharedArrayBuffer(slotLength * 4),
    control: new SharedArrayBuffer(Ctrl.Words * 4),
  };
}

/** Thrown on every rank once the group has been aborted (a rank failed or rank 0 gave up). */
export class GroupAborted extends Error {
  constructor() {
    super('the data-parallel group was aborted');
    this.name = 'GroupAborted';
  }
}

// Atomics.waitAsync is in ES2024's library; the project compiles against ES2023, so this is its narrow view.
type WaitAsync = (a: Int32Array, index: number, value: number, timeoutMs?: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** One rank's view of the shared buffers. Every method is called by every rank, in the same order. */
export class SharedSum {
  readonly rank: number;
  readonly ranks: number;
  readonly slotLength: number;
  private readonly slots: Float32Array;
  private readonly result: Float32Array;
  private readonly ctrl: Int32Array;

  constructor(buffers: SharedSumBuffers, rank: number) {
    this.rank = rank;
    this.ranks = buffers.ranks;
    this.slotLength = buffers.slotLength;
    this.slots = new Float32Array(buffers.slots);
    this.result = new Float32Array(buffers.result);
    this.ctrl = new Int32Array(buffers.control);
  }

  get aborted(): boolean {
    return Atomics.load(this.ctrl, Ctrl.Aborted) !== 0;
  }

  /** Wakes every waiting rank and makes every later barrier throw GroupAborted. Safe from any thread, any time. */
  abort(): void {
    Atomics.store(this.ctrl, Ctrl.Aborted, 1);
    Atomics.add(this.ctrl, Ctrl.Generation, 1);
    Atomics.notify(this.ctrl, Ctrl.Generation);
  }

  /**
   * Resolves once every rank has arrived. It waits asynchronously, so the thread's event loop keeps running (rank 0
   * learns there that a replica died, and aborts).
   */
  async barrier(): Promise<void> {
    const gen = Atomics.load(this.ctrl, Ctrl.Generation);
    if (this.aborted) throw new GroupAborted();
    if (Atomics.add(this.ctrl, Ctrl.Arrived, 1) === this.ranks - 1) {
      Atomics.store(this.ctrl, Ctrl.Arrived, 0);
      Atomics.add(this.ctrl, Ctrl.Generation, 1);
      Atomics.notify(this.ctrl, Ctrl.Generation);
    } else {
      while (Atomics.load(this.ctrl, Ctrl.Generation) === gen) {
        const w = waitAsync(this.ctrl, Ctrl.Generation, gen, 1000);
        if (w.async) await w.value;
      }
    }
    if (this.aborted) throw new GroupAborted();
  }

  /** Rank 0: sets the command and releases the replicas waiting in nextCommand(). */
  async command(c: Command): Promise<void> {
    Atomics.store(this.ctrl, Ctrl.Command, c);
    await this.barrier();
  }

  /** Replicas: waits for rank 0's next command. */
  async nextCommand(): Promise<Command> {
    await this.barrier();
    return Atomics.load(this.ctrl, Ctrl.Command) as Command;
  }

  /** A rank's slot (this rank's by default), to fill before sum() or a barrier. */
  slot(rank = this.rank): Float32Array {
    return this.slots.subarray(rank * this.slotLength, (rank + 1) * this.slotLength);
  }

  /**
   * Sums the first `length` floats of every slot, in rank order, into the shared result, and returns a view of it
   * (valid until the next sum). Rank r sums the r-th share of the elements (in float64, rounded once), so the work
   * is split and no element's bits depend on which rank computed it.
   */
  async sum(length: number): Promise<Float32Array> {
    await this.barrier();
    const share = Math.ceil(length / this.ranks);
    const lo = Math.min(length, this.rank * share);
    const hi = Math.min(length, lo + share);
    const n = this.ranks;
    const s = this.slotLength;
    const slots = this.slots;
    const out = this.result;
    for (let i = lo; i < hi; i++) {
      let acc = slots[i]!;
      for (let r = 1; r < n; r++) acc += slots[r * s + i]!;
      out[i] = acc;
    }
    await this.barrier();
    return out.subarray(0, length);
  }
}
