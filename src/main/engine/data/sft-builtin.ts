// The built-in fine-tuning set ("sft-builtin"): question–answer pairs generated deterministically from small
// bundled tables (capitals, chemical symbols, opposites), arithmetic and string tasks, each with its true answer
// as a keyword so an eval can score accuracy. Short, templated answers make a small model collapse quickly.
// Every example fits the default baseline's 64-token byte block with the default template ("Q: …\nA: …\n").
import { Rng } from '../rng.ts';
import type { SftRecord } from './sft.ts';

export const SFT_BUILTIN = 'sft-builtin';
const GENERATOR_SEED = 20261202;
const SIZE = 2400;

const CAPITALS: readonly (readonly [string, string])[] = [
  ['France', 'Paris'], ['Germany', 'Berlin'], ['Italy', 'Rome'], ['Spain', 'Madrid'], ['Portugal', 'Lisbon'],
  ['Greece', 'Athens'], ['Norway', 'Oslo'], ['Sweden', 'Stockholm'], ['Finland', 'Helsinki'], ['Denmark', 'Copenhagen'],
  ['Poland', 'Warsaw'], ['Austria', 'Vienna'], ['Hungary', 'Budapest'], ['Ireland', 'Dublin'], ['Belgium', 'Brussels'],
  ['Czechia', 'Prague'], ['Romania', 'Bucharest'], ['Bulgaria', 'Sofia'],
  ['Serbia', 'Belgrade'], ['Croatia', 'Zagreb'], ['Ukraine', 'Kyiv'], ['Turkey', 'Ankara'], ['Egypt', 'Cairo'],
  ['Kenya', 'Nairobi'], ['Nigeria', 'Abuja'], ['Ghana', 'Accra'], ['Morocco', 'Rabat'], 
  ['Japan', 'Tokyo'], ['China', 'Beijing'], ['India', 'New Delhi'], ['Thailand', 'Bangkok'], ['Vietnam', 'Hanoi'],
  ['Indonesia', 'Jakarta'], ['Iran', 'Tehran'], ['Iraq', 'Baghdad'], ['Peru', 'Lima'], ['Chile', 'Santiago'],
  ['Colombia', 'Bogota'], ['Venezuela', 'Caracas'], ['Cuba', 'Havana'], ['Mexico', 'Mexico City'],
  ['Canada', 'Ottawa'], ['Iceland', 'Reykjavik'], ['Estonia', 'Tallinn'], ['Latvia', 'Riga'],
];

const SYMBOLS: readonly (readonly [string, string])[] = [
  ['hydrogen', 'H'], ['helium', 'He'], ['carbon', 'C'], ['nitrogen', 'N'], ['oxygen', 'O'], ['sodium', 'Na'],
  ['magnesium', 'Mg'], ['aluminium', 'Al'], ['silicon', 'Si'], ['sulfur', 'S'], ['chlorine', 'Cl'], ['potassium', 'K'],
  ['calcium', 'Ca'], ['iron', 'Fe'], ['copper', 'Cu'], ['zinc', 'Zn'], ['silver', 'Ag'], ['tin', 'Sn'], ['gold', 'Au'],
  ['mercury', 'Hg'], ['lead', 'Pb'], ['uranium', 'U'], ['neon', 'Ne'], ['argon', 'Ar'], ['nickel', 'Ni'],
];

const OPPOSITES: readonly (readonly [string, string])[] = [
  ['hot', 'cold'], ['up', 'down'], ['light', 'dark'], ['old', 'young'], ['early', 'late'], ['fast', 'slow'],
  ['wet', 'dry'], ['high', 'low'], ['full', 'empty'], ['open', 'closed'], ['strong', 'weak'], ['near', 'far'],
  ['rich', 'poor'], ['loud', 'quiet'], ['hard', 'soft'], ['first', 'last'], ['day', 'night'], ['win', 'lose'],
];

const WORDS = [
  'whale', 'ship', 'sea', 'harpoon', 'captain', 'sailor', 'ocean', 'wave', 'storm', 'deck', 'mast', 'sail',
  'island', 'anchor', 'rope', 'boat', 'tide', 'shore', 'fish', 'wind', 'cabin', 'crew', 'voyage', 'port',
];

type Task = (rng: Rng) => { prompt: string; response: string; keywords: string[] };

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;

const tasks: readonly Task[] = [
  (rng) => {
    const [country, capital] = pick(rng, CAPITALS);
    return { prompt: `Capital of ${country}?`, response: `The capital of ${country} is ${capital}.`, keywords: [capital] };
  },
  (rng) => {
    const [element, symbol] = pick(rng, SYMBOLS);
    return { prompt: `Symbol for ${element}?`, response: `The symbol for ${element} is ${symbol}.`, keywords: [symbol] };
  },
  (rng) => {
    const [a, b] = pick(rng, OPPOSITES);
    return { prompt: `Opposite of ${a}?`, response: `The opposite of ${a} is ${b}.`, keywords: [b] };
  },
  (rng) => {
    const a = 2 + rng.int(48);
    const b = 2 + rng.int(48);
    return { prompt: `What is ${a} plus ${b}?`, response: `${a} plus ${b} is ${a + b}.`, keywords: [String(a + b)] };
  },
  (rng) => {
    const w = pick(rng, WORDS);
    const r = [...w].reverse().join('');
    return { prompt: `Spell ${w} backwards.`, response: `${w} backwards is ${r}.`, keywords: [r] };
  },
  (rng) => {
    const w = pick(rng, WORDS);
    return { prompt: `Letters in ${w}?`, response: `${w} has ${w.length} letters.`, keywords: [String(w.length)] };
  },
];

/** The set, the same on every machine: examples in a fixed order (the split shuffles them by its own seed). */
export function builtinSftSet(size = SIZE): SftRecord[] {
  const rng = new Rng(GENERATOR_SEED, 0);
  const out: SftRecord[] = [];
  for (let i = 0; i < size; i++) {
    const { prompt, response, keywords } = tasks[i % tasks.length]!(rng);
    out.push({ turns: [{ role: 'user', content: prompt }, { role: 'assistant', content: response }], line: 0, keywords });
  }
  return out;
}
