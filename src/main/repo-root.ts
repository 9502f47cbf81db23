// Finds the app's root folder (where package.json, resources/ and out/ live) from source or bundled code alike.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function find(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'loupe') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('Cannot find the Loupe install folder (package.json named "loupe")');
    dir = up;
  }
}

export const repoRoot = find();
export const appVersion = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
