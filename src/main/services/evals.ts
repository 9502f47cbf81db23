// Zero-shot multiple-choice evals of a run's checkpoint from a local task file (`loupe eval`): scored in this
// process the lm-evaluation-harness way, stored as eval/<task>/* metrics at the checkpoint's step so the run page
// and compare read them like any other metric.
import fs from 'node:fs';
import type { Store } from '../store/store.ts';
import type { RunServices } from './runs.ts';
import { ServiceError } from './errors.ts';
import { accuracy, parseTaskFile, zeroShotKeys, type ZeroShotTask } from '../../shared/zero-shot/tasks.ts';

export interface ZeroShotParams {
  /** A run id (or unique part of one); its newest checkpoint unless step is given. */
  runId: string;
  step?: number;
  task: ZeroShotTask;
  file: string;
  /** Items scored so far of the total. */
  progress?: (done: number, total: number) => void;
}

export interface ZeroShotResult {
  task: ZeroShotTask;
  n: number;
  acc: number;
  acc_norm: number;
  run_id: string;
  step: number;
  file: string;
  /** Rows of the file that are not items of the task, and items the run's tokenizer cannot encode. */
  skipped: number;
  skipped_reasons: string[];
}

export interface EvalServices {
  zeroShot(p: ZeroShotParams): Promise<ZeroShotResult>;
}

export function createEvalServices({ store, runs }: { store: Store; runs: RunServices }): EvalServices {
  return {
    async zeroShot(p) {
      const runId = runs.resolveId(p.runId);
      const checkpoints = runs.checkpoints(runId);
      const ck = p.step === undefined ? checkpoints[checkpoints.length - 1] : checkpoints.find((c) => c.step === p.step);
      if (!ck) {
        const have = checkpoints.map((c) => c.step).join(', ');
        const message = p.step === undefined ? `run ${runId} has no checkpoint` : `run ${runId} has no checkpoint at step ${p.step}${have ? ` (it has ${have})` : ''}`;
        throw new ServiceError('not_found', message, [{ path: p.step === undefined ? 'runId' : 'step', message: 'no such checkpoint' }]);
      }
      let text: string;
      try {
        text = fs.readFileSync(p.file, 'utf8');
      } catch (e) {
        throw new ServiceError('bad_request', `cannot read ${p.file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, [{ path: 'file', message: 'unreadable' }]);
      }
      const parsed = parseTaskFile(p.task, text);
      if (parsed.items.length === 0) {
        const why = parsed.skipped[0] ? ` (line ${parsed.skipped[0].line}: ${parsed.skipped[0].reason})` : '';
        throw new ServiceError('bad_request', `${p.file} holds no ${p.task} items${why}`, [{ path: 'file', message: 'no items' }]);
      }
      // The engine loads only when an eval runs, so the app's main process does not pay for TF.js at start.
      const { initBackend } = await import('../engine/backend.ts');
      const { loadForSampling } = await import('../engine/sample.ts');
      const { scoreItems } = await import('../engine/zero-shot.ts');
      await initBackend('wasm');
      const { model, tokenizer, step } = loadForSampling(ck.path);
      try {
        const { scored, skipped } = scoreItems(model, tokenizer, parsed.items, (done) => p.progress?.(done, parsed.items.length));
        if (scored.length === 0) throw new ServiceError('bad_request', `the run's tokenizer cannot encode any item of ${p.file} (${skipped[0]?.reason ?? ''})`);
        const r = accuracy(scored);
        const keys = zeroShotKeys(p.task);
        store.metrics.insertMeasured(runId, [
          { step, key: keys.acc, value: r.acc },
          { step, key: keys.accNorm, value: r.acc_norm },
          { step, key: keys.n, value: r.n },
        ]);
        const reasons = [...parsed.skipped.map((s) => `line ${s.line}: ${s.reason}`), ...skipped.map((s) => `item ${s.index + 1}: ${s.reason}`)];
        return { task: p.task, n: r.n, acc: r.acc, acc_norm: r.acc_norm, run_id: runId, step, file: p.file, skipped: reasons.length, skipped_reasons: reasons.slice(0, 20) };
      } finally {
        model.dispose();
      }
    },
  };
}
