// The one place the engine imports TensorFlow.js from. tfjs-core's Node build registers no gradients and its
// ESM build can't load under plain Node, so the union package's Node bundle is imported for its registrations.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs';

// Prod mode silences the "install tfjs-node" banner and skips debug-only checks in the hot loop.
tf.enableProdMode();

export { tf };
