import { registerTfjsResolveHook } from '../src/main/tfjs-resolve-hook.ts';
registerTfjsResolveHook();
const { initBackend, probeBackends } = await import('../src/main/engine/backend.ts');
const { tf } = await import('../src/main/engine/tf.ts');
const t0 = performance.now();
console.log(await probeBackends(), performance.now() - t0);
console.log(await initBackend('auto'), performance.now() - t0);
try { await initBackend('tensorflow'); } catch (e) { console.log(String(e)); }
try { await initBackend('webgpu'); } catch (e) { console.log(String(e)); }
console.log(await initBackend('cpu'), tf.getBackend());
console.log(await initBackend('wasm'), tf.getBackend());
const x = tf.tensor2d([[1,2,3],[4,5,6]]);
console.log(tf.unstack(x).map(t=>Array.from(t.dataSync())), tf.unstack(x,1).map(t=>Array.from(t.dataSync())));
console.log(tf.slice(tf.reshape(tf.range(0,24),[2,3,4]), [0,1,1],[2,2,2]).arraySync());
const g = tf.grad((p: tf.Tensor) => tf.sum(tf.gather(p, tf.tensor1d([0,2,0],'int32'))))(tf.ones([3,2]));
console.log(g.arraySync());
