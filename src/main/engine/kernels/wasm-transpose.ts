// Transpose for wasm in cache-blocked JavaScript: the stock kernel walks large 2-D transposes at ~10 ns per element,
// and every backward pass of a linear layer transposes its input.
import type { tf } from '../tf.ts';
import { heap32, sizeOf, wasmOf } from './heap.ts';
import type { KernelFn } from './heap.ts';

const TILE = 32;
// Up to this many elements per matrix the stock kernel works in cache and beats a JavaScript loop (measured).
const STOCK_MAX_MATRIX = 8192;

/** Drops size-1 axes and merges neighbouring axes that stay neighbours under perm ([0,1,3,2] on 4-D → [0,2,1] on 3-D). */
export function collapse(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = shape.map((_, i) => i).filter((i) => shape[i] !== 1);
  if (kept.length === 0) return { shape: [1], perm: [0] };
  const renumber = new Map(kept.map((a, i) => [a, i]));
  const sh = kept.map((a) => shape[a]!);
  const pm = perm.filter((p) => shape[p] !== 1).map((p) => renumber.get(p)!);
  const groups: number[][] = [];
  for (const p of pm) {
    const g = groups[groups.length - 1];
    if (g != null && g[g.length - 1]! + 1 === p) g.push(p);
    else groups.push([p]);
  }
  const byInput = groups.slice().sort((a, b) => a[0]! - b[0]!);
  return {
    shape: byInput.map((g) => g.reduce((n, a) => n * sh[a]!, 1)),
    perm: groups.map((g) => byInput.indexOf(g)),
  };
}

/**
 * dst[b, c, r] = src[b, r, c] for `batch` matrices of R×C, in TILE×TILE blocks written along dst rows (measured faster
 * than read-contiguous order, notably when R is a large power of two and strided writes alias in the cache).
 */
export function transposeBatched(src: Float32Array, dst: Float32Array, batch: number, R: number, C: number): void {
  const n = R * C;
  for (let b = 0; b < batch; b++) {
    const base = b * n;
    for (let c0 = 0; c0 < C; c0 += TILE) {
      const c1 = Math.min(c0 + TILE, C);
      for (let r0 = 0; r0 < R; r0 += TILE) {
        const r1 = Math.min(r0 + TILE, R);
        for (let c = c0; c < c1; c++) {
          let d = base + c * R + r0;
          let s = base + r0 * C + c;
          for (let r = r0; r < r1; r++) {
            dst[d] = src[s]!;
            d++;
            s += C;
          }
        }
      }
    }
  }
}

export function makeTranspose(stock: KernelFn): KernelFn {
  return (args) => {
    const backend = wasmOf(args);
    const { x } = args.inputs as { x: tf.TensorInfo };
    const { perm } = args.attrs as { perm: number[] };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return stock(args);
    const outShape = perm.map((p) => x.shape[p]!);
    const c = collapse(x.shape, perm);
    const p = c.perm.join(',');
    const s = c.shape;
    // batch matrices of R×C to transpose; batch 0: the permutation only moves unit axes, a plain copy.
    let batch = -1;
    let R = 0;
    let C = 0;
    if (p === '0') batch = 0;
    else if (p === '1,0' && s[0]! * s[1]! > STOCK_MAX_MATRIX) [batch, R, C] = [1, s[0]!, s[1]!];
    else if (p === '0,2,1' && s[1]! * s[2]! > STOCK_MAX_MATRIX) [batch, R, C] = [s[0]!, s[1]!, s[2]!];
    if (batch < 0 || sizeOf(x.shape) === 0) return stock(args);
    const out = backend.makeOutput(outShape, x.dtype);
    const src = heap32(backend, x);
    const dst = heap32(backend, out);
    if (batch === 0) dst.set(src);
    else transposeBatched(src, dst, batch, R, C);
    return out;
  };
}
