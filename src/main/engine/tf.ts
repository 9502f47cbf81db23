// The one place the engine imports TensorFlow.js from, with every gradient registered (tfjs-core alone has none).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';

export { tf };
