// electron-vite: main (with the training and probe workers as extra entries), preload, renderer.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { rendererConfig } from './vite.renderer.config.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: {
          index: resolve(here, 'src/main/index.ts'),
          'engine-worker': resolve(here, 'src/main/engine/worker.ts'),
          'engine-probe-worker': resolve(here, 'src/main/engine/probe-worker.ts'),
          'engine-sample-worker': resolve(here, 'src/main/engine/sample-worker.ts'),
          'engine-replica-worker': resolve(here, 'src/main/engine/replica-worker.ts'),
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: { rollupOptions: { input: { index: resolve(here, 'src/preload/index.ts') } } },
  },
  renderer: rendererConfig,
});
