// Finds a Chromium for e2e tests; on Debian as root it installs one with apt (and says so), otherwise it
// explains exactly what to install. Tests never download a browser build of their own.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

export function findChromium(): string | null {
  const fromEnv = process.env['LOUPE_CHROMIUM'];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  return candidates.find((c) => existsSync(c)) ?? null;
}

export function ensureChromium(log: (line: string) => void = (l) => console.error(l)): string {
  const found = findChromium();
  if (found) return found;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (process.platform === 'linux' && isRoot && existsSync('/usr/bin/apt-get')) {
    log('e2e: no Chromium found; installing Debian\'s chromium with apt-get (one time)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
    const after = findChromium();
    if (r.status === 0 && after) return after;
  }
  throw new Error(
    'e2e tests need Chromium and none was found. Install it (Debian/Ubuntu: `sudo apt-get install chromium`; ' +
      'macOS: install Google Chrome) or point LOUPE_CHROMIUM at a Chromium/Chrome executable.',
  );
}
