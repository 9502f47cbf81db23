// The import boundaries of DESIGN.md §1 are enforced by ESLint: deliberate violations must fail lint.
import { describe, it, expect } from 'vitest';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function errorsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.severity === 2).map((m) => m.message);
}

describe('layer boundaries', () => {
  it('the renderer cannot import Node, Electron, the DB, TF.js or main', async () => {
    for (const spec of ['node:fs', 'fs', 'electron', 'better-sqlite3', '@tensorflow/tfjs-core', '../../main/store/db.ts']) {
      const errs = await errorsFor('src/renderer/src/Bad.ts', `import '${spec}';\n`);
      expect(errs.join('\n'), spec).toMatch(/renderer|Node|Electron|database|TensorFlow/);
    }
  });
  it('src/shared imports nothing of ours outside src/shared', async () => {
    expect(await errorsFor('src/shared/bad.ts', "import '../main/paths.ts';\n")).not.toEqual([]);
    expect(await errorsFor('src/shared/bad.ts', "import './config.ts';\n")).toEqual([]);
  });
  it('the engine cannot import Electron or the DB', async () => {
    expect(await errorsFor('src/main/engine/bad.ts', "import 'better-sqlite3';\n")).not.toEqual([]);
    expect(await errorsFor('src/main/engine/bad.ts', "import '../store/db.ts';\n")).not.toEqual([]);
    expect(await errorsFor('src/main/engine/bad.ts', "import 'electron';\n")).not.toEqual([]);
  });
  it('allowed imports pass', async () => {
    expect(await errorsFor('src/renderer/src/ok.ts', "import { RunConfig } from '../../shared/config.ts';\nexport const x = RunConfig;\n")).toEqual([]);
  });
  it('no default exports in our code', async () => {
    expect(await errorsFor('src/shared/x.ts', 'const a = 1;\nexport default a;\n')).not.toEqual([]);
  });
});
