// Every op with a faster backend implementation is declared here once: its plain TF.js reference (also the test
// oracle) and the fast versions by backend. initBackend picks each op's implementation when a backend starts, so the
// maths never asks which backend it runs on.

/** One op: the reference and the fast implementations, and the one in use on the active backend. */
export class KernelOp<F> {
  private current: F;
  private currentName = 'reference';

  constructor(
    readonly name: string,
    readonly reference: F,
    readonly fast: Readonly<Partial<Record<string, F>>>,
  ) {
    this.current = reference;
  }

  /** The implementation picked for the active backend. */
  get run(): F {
    return this.current;
  }

  /** 'reference', or the backend whose fast implementation is in use. */
  get chosen(): string {
    return this.currentName;
  }

  select(backend: string | null): void {
    const fast = backend == null ? undefined : this.fast[backend];
    this.current = fast ?? this.reference;
    this.currentName = fast == null ? 'reference' : backend!;
  }
}

let activeBackend: string | null = null;
const ops: KernelOp<unknown>[] = [];

/** Declares an op with fast implementations by backend name (tf.getBackend() names). */
export function defineKernel<F>(name: string, reference: F, fast: Readonly<Partial<Record<string, F>>>): KernelOp<F> {
  const op = new KernelOp(name, reference, fast);
  op.select(activeBackend);
  ops.push(op as KernelOp<unknown>);
  return op;
}

/** Picks every op's implementation for the backend that has just started (initBackend calls it). */
export function selectKernels(backend: string): void {
  activeBackend = backend;
  for (const op of ops) op.select(backend);
}

/** Each declared op and the implementation in use (for tests and diagnostics). */
export function kernelChoices(): { name: string; chosen: string }[] {
  return ops.map((op) => ({ name: op.name, chosen: op.chosen }));
}
