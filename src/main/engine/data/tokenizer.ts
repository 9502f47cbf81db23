// Tokenizers: byte (256 symbols, nothing unknown) and char (the distinct code points of the corpus).
// Their JSON form is stored beside each checkpoint so sampling can decode without the corpus.
import { z } from 'zod';

export const TokenizerJson = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('byte') }),
  z.object({ kind: z.literal('char'), chars: z.array(z.string()) }),
]);
export type TokenizerJson = z.infer<typeof TokenizerJson>;

export interface Tokenizer {
  readonly kind: TokenizerJson['kind'];
  readonly vocabSize: number;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
  toJSON(): TokenizerJson;
}

export class ByteTokenizer implements Tokenizer {
  readonly kind = 'byte' as const;
  readonly vocabSize = 256;
  encode(text: string): Int32Array {
    return Int32Array.from(new TextEncoder().encode(text));
  }
  decode(ids: ArrayLike<number>): string {
    // Partial UTF-8 sequences (a model may emit them) become U+FFFD rather than throwing.
    return new TextDecoder('utf-8').decode(Uint8Array.from(ids));
  }
  toJSON(): TokenizerJson {
    return { kind: 'byte' };
  }
}

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  private readonly index = new Map<string, number>();

  constructor(readonly chars: string[]) {
    chars.forEach((c, i) => this.index.set(c, i));
  }

  static fromText(text: string): CharTokenizer {
    return new CharTokenizer([...new Set(Array.from(text))].sort());
  }

  get vocabSize(): number {
    return this.chars.length;
  }

  encode(text: string): Int32Array {
    const chars = Array.from(text);
    const out = new Int32Array(chars.length);
    chars.forEach((c, i) => {
      const id = this.index.get(c);
      if (id === undefined) throw new Error(`character ${JSON.stringify(c)} is not in the char vocabulary`);
      out[i] = id;
    });
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) s += this.chars[ids[i]] ?? '\uFFFD';
    return s;
  }

  toJSON(): TokenizerJson {
    return { kind: 'char', chars: this.chars };
  }
}

/** Builds the tokenizer a config names; char needs the corpus text. */
export function createTokenizer(kind: 'byte' | 'char' | 'gpt2', text: string): Tokenizer {
  if (kind === 'byte') return new ByteTokenizer();
  if (kind === 'char') return CharTokenizer.fromText(text);
  throw new Error('data.tokenizer: gpt2 BPE is not available yet; use byte or char');
}

export function tokenizerFromJson(json: unknown): Tokenizer {
  const t = TokenizerJson.parse(json);
  return t.kind === 'byte' ? new ByteTokenizer() : new CharTokenizer(t.chars);
}
