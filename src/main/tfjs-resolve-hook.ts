// Lets tsx (source runs: CLI, workers, benches) load tfjs-core's ESM gradients: they import './gradients', which
// names both gradients.js and a gradients/ folder, and Node's ESM resolver refuses folder imports. Bundlers are unaffected.
import { register } from 'node:module';

const hook = `
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (err && err.code === 'ERR_UNSUPPORTED_DIR_IMPORT' && (context.parentURL || '').includes('/@tensorflow/')) {
      return next(specifier + '.js', context);
    }
    throw err;
  }
}`;

let done = false;

/**
 * Call before the first (dynamic) import of src/main/engine/tf.ts when running TypeScript through tsx
 * (ts-worker-boot.mjs, the CLI, benches); static imports are resolved before any code runs, hence dynamic.
 */
export function registerTfjsResolveHook(): void {
  if (done) return;
  done = true;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}
