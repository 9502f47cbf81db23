// Live training output: a progress bar (step, ETA, loss, val loss, tokens/s) on a terminal, plain lines
// otherwise; alerts and worker notes are printed as they arrive, above the bar.
import cliProgress from 'cli-progress';

export interface ProgressState {
  step: number;
  planned: number;
  loss: number | null;
  valLoss: number | null;
  tokensPerS: number | null;
}

export interface Progress {
  update(s: ProgressState): void;
  /** A line above the bar (or a plain line). */
  note(line: string): void;
  stop(): void;
}

const fmt = (v: number | null, digits = 4): string => (v === null ? '–' : Number.isFinite(v) ? v.toFixed(digits) : String(v));

function plainLine(s: ProgressState): string {
  return `step ${s.step}/${s.planned}  loss ${fmt(s.loss)}  val ${fmt(s.valLoss)}  ${s.tokensPerS === null ? '–' : Math.round(s.tokensPerS)} tok/s`;
}

/** On a TTY (stderr): the bar. Otherwise: a line every ~5% of the run and whenever val loss changes. */
export function createProgress(opts: { tty: boolean; out: NodeJS.WritableStream; startStep: number; planned: number }): Progress {
  if (opts.tty) {
    const multi = new cliProgress.MultiBar(
      {
        stream: process.stderr,
        format: ' {bar} {value}/{total} | ETA {eta_formatted} | loss {loss} | val {val} | {tps} tok/s',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    );
    const bar = multi.create(opts.planned, opts.startStep, { loss: '–', val: '–', tps: '–' });
    return {
      update: (s) => bar.update(s.step, { loss: fmt(s.loss), val: fmt(s.valLoss), tps: s.tokensPerS === null ? '–' : Math.round(s.tokensPerS) }),
      note: (line) => multi.log(`${line}\n`),
      stop: () => multi.stop(),
    };
  }
  const every = Math.max(1, Math.round(opts.planned / 20));
  const write = (line: string): void => void opts.out.write(`${line}\n`);
  // A step's line waits until a later step arrives, so the val loss evaluated at that step is on the same line.
  let pending: ProgressState | null = null;
  let lastVal: number | null = null;
  let lastLine = '';
  let last: ProgressState | null = null;
  const print = (s: ProgressState): void => {
    lastLine = plainLine(s);
    write(lastLine);
    lastVal = s.valLoss;
  };
  return {
    update(s) {
      last = s;
      if (pending && s.step > pending.step) {
        print(pending);
        pending = null;
      }
      if (pending?.step === s.step || s.step % every === 0 || s.step === s.planned || s.valLoss !== lastVal) pending = s;
    },
    note: write,
    stop() {
      if (pending) print(pending);
      else if (last && plainLine(last) !== lastLine) print(last);
    },
  };
}
