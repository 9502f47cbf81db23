// Tokenizers: byte (256 symbols, nothing unknown), char (the distinct code points of the corpus) and gpt2
// (GPT-2's BPE, 50257 symbols, through the gpt-tokenizer package). Their JSON form is stored beside each checkpoint.
import { z } from 'zod';
import * as gpt2 from 'gpt-tokenizer/encoding/gpt2';

export const TokenizerJson = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('byte') }),
  z.object({ kind: z.literal('char'), chars: z.array(z.string()) }),
  z.object({ kind: z.literal('gpt2') }),
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

export class Gpt2Tokenizer implements Tokenizer {
  readonly kind = 'gpt2' as const;
  readonly vocabSize = 50257;
  encode(text: string): Int32Array {
    // "<|endoftext|>" inside user text is plain text, not the special token.
    return Int32Array.from(gpt2.encode(text, { disallowedSpecial: new Set() }));
  }
  decode(ids: ArrayLike<number>): string {
    return gpt2.decode(Array.from(ids));
  }
  toJSON(): TokenizerJson {
    return { kind: 'gpt2' };
  }
}

/** Builds the tokenizer a config names; char needs the corpus text. */
export function createTokenizer(kind: 'byte' | 'char' | 'gpt2', text: string): Tokenizer {
  if (kind === 'byte') return new ByteTokenizer();
  if (kind === 'char') return CharTokenizer.fromText(text);
  return new Gpt2Tokenizer();
}

export function tokenizerFromJson(json: unknown): Tokenizer {
  const t = TokenizerJson.parse(json);
  if (t.kind === 'byte') return new ByteTokenizer();
  if (t.kind === 'gpt2') return new Gpt2Tokenizer();
  return new CharTokenizer(t.chars);
}
