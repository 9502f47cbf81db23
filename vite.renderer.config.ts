// Vite config of the renderer alone: shared by electron-vite (desktop) and browser mode (out/renderer).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { UserConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export const rendererConfig: UserConfig = {
  root: resolve(root, 'src/renderer'),
  base: './',
  plugins: [react()],
  // The favicon (resources/favicon/) is copied next to index.html, so no page load asks for a missing /favicon.ico.
  publicDir: resolve(root, 'resources/favicon'),
  resolve: {
    // monaco-yaml's worker manager imports monaco by its old deep path, which monaco-editor's exports map no longer serves.
    alias: [{ find: /^monaco-editor\/esm\/vs\/(.*)$/, replacement: `${resolve(root, 'node_modules/monaco-editor/esm/vs')}/$1` }],
  },
  build: {
    outDir: resolve(root, 'out/renderer'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    // bench.html: the chart benchmark page (npm run bench:ui), built with the app so it measures the same code.
    rollupOptions: {
      input: { index: resolve(root, 'src/renderer/index.html'), bench: resolve(root, 'src/renderer/bench.html') },
    },
  },
  worker: { format: 'es' },
};

export default rendererConfig;
