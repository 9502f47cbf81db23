// Makes sure the renderer bundle browser mode serves exists and is newer than its sources,
// building it with Vite when it is not (first `npm start`, or after a code change).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../repo-root.ts';

export const rendererOutDir = join(repoRoot, 'out', 'renderer');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function rendererIsStale(): boolean {
  const index = join(rendererOutDir, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = Math.max(newestMtime(join(repoRoot, 'src', 'renderer')), newestMtime(join(repoRoot, 'src', 'shared')));
  return sources > built;
}

/** Builds the renderer if needed; `log` receives one line before a build starts. */
export async function ensureRendererBuilt(log: (line: string) => void): Promise<string> {
  if (!rendererIsStale()) return rendererOutDir;
  log('Building the Loupe UI (first start or sources changed)…');
  const { build } = await import('vite');
  await build({ configFile: join(repoRoot, 'vite.renderer.config.ts'), logLevel: 'warn' });
  return rendererOutDir;
}
