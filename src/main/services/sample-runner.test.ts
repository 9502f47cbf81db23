// The sample runner over a scripted worker: one job at a time, interactive before grid cells, cancel of queued and
// running jobs, and a crashed worker failing only its current job before a fresh one takes the next.
import { describe, it, expect } from 'vitest';
import { SampleRunner, type JobCallbacks, type SampleWorkerHandle } from './sample-runner.ts';
import type { SampleJob, SampleJobResult, ToSampleWorker } from '../../shared/sample-worker-protocol.ts';

class FakeWorker implements SampleWorkerHandle {
  sent: ToSampleWorker[] = [];
  active = false;
  terminated = false;
  private listener: (msg: unknown) => void = () => {};
  private exit: (e: Error | null) => void = () => {};
  send(msg: ToSampleWorker): void {
    this.sent.push(msg);
  }
  onMessage(l: (msg: unknown) => void): void {
    this.listener = l;
  }
  onExit(l: (e: Error | null) => void): void {
    this.exit = l;
  }
  setActive(a: boolean): void {
    this.active = a;
  }
  async terminate(): Promise<void> {
    this.terminated = true;
  }
  reply(msg: unknown): void {
    this.listener(msg);
  }
  crash(message: string): void {
    this.exit(new Error(message));
  }
}

const job = (id: string): SampleJob => ({
  id,
  checkpointPath: '/x',
  prompt: 'p',
  settings: { maxTokens: 1, temperature: 0, topK: 0, topP: 1, repetitionPenalty: 1, seed: 0, stop: [] },
  expectedKeywords: null,
  memorizationCacheDir: null,
});

const result = (text: string): SampleJobResult => ({
  step: 1,
  text,
  tokenIds: [1],
  pieces: [text],
  entropies: [0.5],
  diagnostics: {
    tokens: 1,
    seqRep: { 1: 0, 2: 0, 3: 0, 4: 0 },
    distinct: { 1: 1, 2: 1, 3: 1, 4: 1 },
    meanEntropy: 0.5,
    loop: null,
    keyword: null,
    memorization: null,
  },
  memorizedSource: null,
  finish: 'length',
  warnings: [],
  generateMs: 1,
});

function callbacks(log: string[], id: string): JobCallbacks {
  return {
    phase: (p) => void log.push(`${id}:phase:${p}`),
    token: (i, piece) => void log.push(`${id}:token:${i}:${piece}`),
    done: (r) => void log.push(`${id}:done:${r.text}`),
    error: (m) => void log.push(`${id}:error:${m}`),
  };
}

const sentIds = (w: FakeWorker): string[] => w.sent.map((m) => (m.type === 'sample' ? m.job.id : `cancel ${m.id}`));

describe('SampleRunner', () => {
  it('runs one job at a time, interactive jobs before grid cells', () => {
    const workers: FakeWorker[] = [];
    const runner = new SampleRunner(() => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    });
    const log: string[] = [];
    runner.submit(job('a'), callbacks(log, 'a'), true);
    runner.submit(job('b'), callbacks(log, 'b'), true);
    runner.submit(job('c'), callbacks(log, 'c'));
    const w = workers[0]!;
    expect(sentIds(w)).toEqual(['a']);
    expect(w.active).toBe(true);
    w.reply({ type: 'token', id: 'a', index: 0, piece: 'x', entropy: 1 });
    w.reply({ type: 'token', id: 'zz', index: 0, piece: 'stale', entropy: 1 });
    w.reply({ type: 'done', id: 'a', result: result('A') });
    expect(sentIds(w)).toEqual(['a', 'c']);
    w.reply({ type: 'done', id: 'c', result: result('C') });
    w.reply({ type: 'done', id: 'b', result: result('B') });
    expect(log).toEqual(['a:phase:queued', 'b:phase:queued', 'c:phase:queued', 'a:token:0:x', 'a:done:A', 'c:done:C', 'b:done:B']);
    expect(w.active).toBe(false);
    expect(workers).toHaveLength(1);
  });

  it('cancels queued jobs locally and running ones in the worker', () => {
    const w = new FakeWorker();
    const runner = new SampleRunner(() => w);
    const log: string[] = [];
    runner.submit(job('a'), callbacks(log, 'a'));
    runner.submit(job('b'), callbacks(log, 'b'));
    expect(runner.cancel('b')).toBe(true);
    expect(runner.cancel('a')).toBe(true);
    expect(runner.cancel('nope')).toBe(false);
    expect(sentIds(w)).toEqual(['a', 'cancel a']);
    expect(log).toContain('b:error:cancelled before it started');
  });

  it('fails only the current job when the worker dies, and starts a fresh worker for the next', () => {
    const workers: FakeWorker[] = [];
    const runner = new SampleRunner(() => {
      const w = new FakeWorker();
      workers.push(w);
      return w;
    });
    const log: string[] = [];
    runner.submit(job('a'), callbacks(log, 'a'));
    runner.submit(job('b'), callbacks(log, 'b'));
    workers[0]!.crash('ERR_WORKER_OUT_OF_MEMORY: heap limit\nstack');
    expect(log).toContain('a:error:the sample worker stopped: ERR_WORKER_OUT_OF_MEMORY: heap limit');
    expect(workers).toHaveLength(2);
    expect(sentIds(workers[1]!)).toEqual(['b']);
  });

  it('rejects work after close and terminates the worker', async () => {
    const w = new FakeWorker();
    const runner = new SampleRunner(() => w);
    const log: string[] = [];
    runner.submit(job('a'), callbacks(log, 'a'));
    await runner.close();
    expect(w.terminated).toBe(true);
    runner.submit(job('b'), callbacks(log, 'b'));
    expect(log).toEqual(['a:phase:queued', 'a:error:sampling is shut down', 'b:error:sampling is shut down']);
  });
});
