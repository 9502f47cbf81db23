// Builds the memorisation index once per dataset and keeps it on disk, keyed by the dataset's hash
// (which must cover the corpus, the tokenizer and the training slice), so later samples load it in ~0.1 s.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MemorizationIndex } from './memorization.ts';

const safeKey = /^[A-Za-z0-9_-]{1,128}$/;

export function memorizationCachePath(cacheDir: string, datasetHash: string): string {
  if (!safeKey.test(datasetHash)) throw new Error(`dataset hash "${datasetHash}" is not a safe file name (letters, digits, "-", "_")`);
  return join(cacheDir, `memorization-${datasetHash}.bin`);
}

/**
 * Loads the cached index for datasetHash, or builds it from trainTokens() and writes it (atomically, via
 * a temporary file and rename). A corrupt cache file is rebuilt, not trusted.
 */
export async function loadOrBuildMemorizationIndex(
  cacheDir: string,
  datasetHash: string,
  trainTokens: () => ArrayLike<number> | Promise<ArrayLike<number>>,
): Promise<{ index: MemorizationIndex; fromCache: boolean }> {
  const path = memorizationCachePath(cacheDir, datasetHash);
  const cached = await readFile(path).catch(() => null);
  if (cached && cached.byteLength % 4 === 0) {
    try {
      const aligned = new Int32Array(cached.buffer.slice(cached.byteOffset, cached.byteOffset + cached.byteLength));
      return { index: MemorizationIndex.fromInt32Array(aligned, path), fromCache: true };
    } catch {
      // fall through and rebuild: a cache is an optimisation, never a source of truth
    }
  }
  const index = MemorizationIndex.build(await trainTokens());
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const flat = index.toInt32Array();
  try {
    await writeFile(tmp, new Uint8Array(flat.buffer, flat.byteOffset, flat.byteLength));
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { index, fromCache: false };
}
