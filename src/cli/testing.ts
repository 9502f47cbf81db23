// Test helpers for the CLI: run `bin/loupe.mjs` as a real process on a temporary LOUPE_HOME.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const loupeBin = fileURLToPath(new URL('../../bin/loupe.mjs', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function spawnLoupe(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [loupeBin, ...args], { env: { ...process.env, CI: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function collect(p: ChildProcess, onStderrLine?: (line: string) => void): Promise<CliResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let partial = '';
    p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr!.on('data', (d: Buffer) => {
      const s = d.toString();
      stderr += s;
      partial += s;
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const l of lines) onStderrLine?.(l);
    });
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function loupe(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return collect(spawnLoupe(args, env));
}
