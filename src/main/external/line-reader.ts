// Reads a growing file a chunk at a time and hands back only complete lines: a partial last line waits for its
// newline, a file that shrank (truncated and rewritten) or was replaced starts over from its first byte.
import fs from 'node:fs';

export type ReadResult =
  | { kind: 'lines'; lines: string[]; restarted: boolean; grew: boolean }
  | { kind: 'missing' };

export class LineReader {
  private offset = 0;
  private ino: number | null = null;
  private pending: Buffer = Buffer.alloc(0);
  private lineNo = 0;

  constructor(
    readonly file: string,
    private readonly chunkBytes = 1 << 20,
  ) {}

  /** 1-based number of the last line handed out (for messages naming a bad line). */
  get lastLineNumber(): number {
    return this.lineNo;
  }

  /** Bytes of complete lines consumed so far plus the partial line held back. */
  get position(): number {
    return this.offset;
  }

  /** Everything complete that was appended since the last call (at most a few MiB per call). */
  read(maxBytes = 8 << 20): ReadResult {
    let fd: number;
    try {
      fd = fs.openSync(this.file, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
      throw e;
    }
    try {
      const st = fs.fstatSync(fd);
      let restarted = false;
      if ((this.ino !== null && st.ino !== this.ino) || st.size < this.offset) {
        this.offset = 0;
        this.pending = Buffer.alloc(0);
        this.lineNo = 0;
        restarted = this.ino !== null;
      }
      this.ino = st.ino;
      const lines: string[] = [];
      let grew = false;
      let budget = maxBytes;
      const buf = Buffer.allocUnsafe(this.chunkBytes);
      while (this.offset < st.size && budget > 0) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, st.size - this.offset, budget), this.offset);
        if (n <= 0) break;
        grew = true;
        this.offset += n;
        budget -= n;
        let data = this.pending.length ? Buffer.concat([this.pending, buf.subarray(0, n)]) : buf.subarray(0, n);
        let start = 0;
        for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, start)) {
          const line = data.toString('utf8', start, i).replace(/\r$/, '');
          this.lineNo++;
          lines.push(line);
          start = i + 1;
        }
        data = data.subarray(start);
        this.pending = Buffer.from(data);
      }
      return { kind: 'lines', lines, restarted, grew };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The partial line held back (a writer that died mid-line), for a final attempt when watching ends. */
  takePartial(): string | null {
    if (this.pending.length === 0) return null;
    const s = this.pending.toString('utf8').trim();
    this.pending = Buffer.alloc(0);
    return s === '' ? null : s;
  }
}
