// Where Loupe keeps its data: LOUPE_HOME if set, else the folder Electron's userData uses for "Loupe",
// so the CLI and the app share one run store. Checkpoints live beside the database.
import os from 'node:os';
import path from 'node:path';

const appName = 'Loupe';
const dbFileName = 'loupe.db';

export interface PathEnv {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  home?: string;
}

/** The platform app-data folder Electron resolves `userData` to for an app named "Loupe". */
function platformUserDataDir({ env = process.env, platform = process.platform, home = os.homedir() }: PathEnv = {}): string {
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), appName);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', appName);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), appName);
}

/** LOUPE_HOME is set but names no folder: a typo must not quietly open the real app-data folder instead. */
export class DataDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataDirError';
  }
}

export function resolveDataDir(opts: PathEnv = {}): string {
  const env = opts.env ?? process.env;
  const home = env.LOUPE_HOME;
  if (home !== undefined && home.trim() === '') {
    throw new DataDirError(`LOUPE_HOME is set but empty: set it to a folder, or unset it to use ${platformUserDataDir(opts)}`);
  }
  if (home !== undefined) return path.resolve(home);
  return platformUserDataDir(opts);
}

export function dbPath(dataDir: string): string {
  return path.join(dataDir, dbFileName);
}

export function runDir(dataDir: string, runId: string): string {
  return path.join(dataDir, 'runs', runId);
}

/** The engine writes one sub-folder per checkpoint step in here. */
export function checkpointDir(dataDir: string, runId: string): string {
  return path.join(runDir(dataDir, runId), 'checkpoints');
}
