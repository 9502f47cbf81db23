// Plain progress lines (not a terminal): about 20 lines per run, each step's val loss on that step's line.
import { describe, it, expect } from 'vitest';
import { PassThrough } from 'node:stream';
import { createProgress } from './progress.ts';

describe('plain progress', () => {
  it('prints every 5% of the run with the val loss of the same step, and the last step once', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const p = createProgress({ tty: false, out, startStep: 0, planned: 100 });
    let val: number | null = null; // the session carries the last val loss forward, as here
    for (let step = 1; step <= 100; step++) {
      p.update({ step, planned: 100, loss: 5 - step / 50, valLoss: val, tokensPerS: 1000 });
      if (step % 50 === 0) {
        val = 4 - step / 100;
        p.update({ step, planned: 100, loss: 5 - step / 50, valLoss: val, tokensPerS: 1000 });
      }
    }
    p.stop();
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[9]).toBe('step 50/100  loss 4.0000  val 3.5000  1000 tok/s');
    expect(lines[19]).toBe('step 100/100  loss 3.0000  val 3.0000  1000 tok/s');
  });
});
