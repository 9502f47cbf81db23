// Follows one run file: reads what was appended, turns lines into the run's metrics, checkpoints and end, and
// notices when the file stops growing (stale), is truncated and rewritten, or restarts from a checkpoint.
import path from 'node:path';
import type { RunSummary } from '../../shared/runs.ts';
import type { MetricPoint } from '../../shared/metrics.ts';
import { LineReader } from './line-reader.ts';
import { endStatus, metricValue, parseRunFileLine, type RunHeader } from './protocol.ts';
import { ExternalRunWriter, type IngestDeps } from './ingest.ts';
import { configFromSource } from './config-map.ts';
import { createExternalRun, findExternalRun } from '../store/external-runs.ts';

export interface FollowOptions {
  /** A file that has not grown for this long is marked stale (it stays running). */
  staleAfterMs: number;
  /** Run name; default: the `run` line's name, else the file name. */
  name?: string;
  /** Called once the run exists in the store. */
  onRun?: (run: RunSummary) => void;
  now?: () => number;
}

/** At most this many bad lines are reported per file; the rest are counted. */
const maxReportedBadLines = 5;

export class RunFileFollower {
  readonly file: string;
  private readonly reader: LineReader;
  private writer: ExternalRunWriter | null = null;
  private lastGrowth: number;
  private badLines = 0;
  private endedResolve!: (run: RunSummary) => void;
  /** Resolves with the run's summary once its `end` line was read (or watching stopped). */
  readonly ended: Promise<RunSummary>;

  constructor(
    file: string,
    private readonly deps: IngestDeps,
    private readonly opts: FollowOptions,
  ) {
    this.file = path.resolve(file);
    this.reader = new LineReader(this.file);
    this.lastGrowth = this.now();
    this.ended = new Promise((resolve) => (this.endedResolve = resolve));
  }

  get runId(): string | null {
    return this.writer?.runId ?? null;
  }

  get isEnded(): boolean {
    return this.writer?.isEnded ?? false;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  /** Reads everything new; call it on a timer. Returns true when the run has ended (a later `run` line reopens it). */
  poll(): boolean {
    const r = this.reader.read();
    if (r.kind === 'missing') {
      this.checkStale();
      return false;
    }
    if (r.restarted && this.writer) this.writer.log('warn', `${this.file} was truncated or replaced: reading it again from the start`);
    let lineNo = this.reader.lastLineNumber - r.lines.length;
    for (const text of r.lines) {
      lineNo++;
      if (text.trim() === '') continue;
      this.handle(text, lineNo);
    }
    this.writer?.flush();
    if (r.grew && !this.writer?.isEnded) {
      this.lastGrowth = this.now();
      this.writer?.setStale(false, this.lastGrowth);
    } else this.checkStale();
    return this.writer?.isEnded ?? false;
  }

  private checkStale(): void {
    if (this.writer && this.now() - this.lastGrowth > this.opts.staleAfterMs) this.writer.setStale(true, this.now());
  }

  private handle(text: string, lineNo: number): void {
    const parsed = parseRunFileLine(text);
    if (!parsed.ok) {
      this.badLine(lineNo, parsed.error);
      return;
    }
    const line = parsed.line;
    if (line.type === 'run') {
      if (!this.writer) this.open(line);
      else {
        this.writer.reopen();
        this.writer.log('info', `${path.basename(this.file)} line ${lineNo}: a new "run" line: the job restarted; its steps continue this run`);
      }
      return;
    }
    const w = this.writer ?? this.open(null);
    switch (line.type) {
      case 'metric': {
        const point: MetricPoint = { step: line.step, key: line.key, value: metricValue(line.value) };
        w.add([point]);
        break;
      }
      case 'checkpoint':
        w.checkpoint(line.step, path.resolve(path.dirname(this.file), line.path));
        break;
      case 'end': {
        const { status, error } = endStatus(line);
        this.endedResolve(w.end(status, error));
        break;
      }
    }
  }

  private badLine(lineNo: number, error: string): void {
    this.badLines++;
    if (!this.writer) return;
    if (this.badLines <= maxReportedBadLines) this.writer.log('warn', `${path.basename(this.file)} line ${lineNo} skipped: ${error}`);
    else if (this.badLines === maxReportedBadLines + 1) this.writer.log('warn', `more bad lines in ${path.basename(this.file)}; they are skipped without notice`);
  }

  /** Creates the run (or continues the one this file already fed, when watched again). */
  private open(header: RunHeader | null): ExternalRunWriter {
    const name = this.opts.name ?? header?.name ?? path.basename(this.file).replace(/\.jsonl?$/i, '');
    const raw = header?.config ?? null;
    const key = `runfile:${this.file}#${header?.started_at ?? ''}`;
    const config = configFromSource(name, raw);
    const { store } = this.deps;
    const existing = findExternalRun(store, key);
    const runId = existing ?? createExternalRun(store, { name, config, kind: 'runfile', path: this.file, key, sourceConfig: raw }).id;
    this.writer = new ExternalRunWriter(this.deps, runId, existing ? store.runs.config(runId) : config);
    if (!header) this.writer.log('warn', `${path.basename(this.file)} does not start with a "run" line; named after the file`);
    if (this.badLines > 0) this.writer.log('warn', `${this.badLines} bad line(s) before the first valid one were skipped`);
    this.opts.onRun?.(store.runs.require(runId));
    return this.writer;
  }

  /** Stops following: a last partial line is tried, and an unfinished run is marked stopped (watch it again to go on). */
  stop(): RunSummary | null {
    if (!this.writer || this.writer.isEnded) return this.writer ? this.deps.store.runs.require(this.writer.runId) : null;
    const partial = this.reader.takePartial();
    if (partial) this.handle(partial, this.reader.lastLineNumber + 1);
    if (this.writer.isEnded) return this.deps.store.runs.require(this.writer.runId);
    const run = this.writer.end('stopped', `no longer watched; \`loupe watch ${this.file}\` continues it`);
    this.endedResolve(run);
    return run;
  }
}
