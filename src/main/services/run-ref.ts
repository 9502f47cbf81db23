// Which run a user means by what they typed: an id, a unique id prefix or suffix, a run name, or a unique name
// prefix. The CLI and the API accept any of these wherever a run id goes; an ambiguous one lists its candidates.
import { ServiceError } from './errors.ts';

export interface RunRefCandidate {
  id: string;
  name: string;
  archived?: boolean;
}

const LISTED = 5;

function describe(matches: readonly RunRefCandidate[]): string {
  const shown = matches.slice(0, LISTED).map((r) => `${r.name} (${r.id})`).join(', ');
  return matches.length > LISTED ? `${shown} and ${matches.length - LISTED} more` : shown;
}

function ambiguous(ref: string, what: string, matches: readonly RunRefCandidate[]): ServiceError {
  return new ServiceError('bad_request', `"${ref}" is ambiguous: it matches ${matches.length} runs by ${what} (${describe(matches)}); give the run id or more of the name`);
}

/**
 * Resolves `ref` among `runs`, most specific first: exact id, exact name, then unique id prefix/suffix or name prefix.
 * An exact name shared by several runs is ambiguous unless only one of them is unarchived.
 */
export function resolveRunRef(ref: string, runs: readonly RunRefCandidate[]): string {
  const wanted = ref.trim();
  if (wanted === '') throw new ServiceError('bad_request', 'give a run id or name');
  const byId = runs.find((r) => r.id === wanted);
  if (byId) return byId.id;

  const named = runs.filter((r) => r.name === wanted);
  if (named.length === 1) return named[0].id;
  if (named.length > 1) {
    const live = named.filter((r) => !r.archived);
    if (live.length === 1) return live[0].id;
    throw ambiguous(wanted, 'name', named);
  }

  const idMatches = runs.filter((r) => r.id.startsWith(wanted) || r.id.endsWith(`-${wanted}`));
  const nameMatches = runs.filter((r) => r.name.startsWith(wanted));
  const matches = [...new Map([...idMatches, ...nameMatches].map((r) => [r.id, r])).values()];
  if (matches.length === 1) return matches[0].id;
  if (matches.length > 1) throw ambiguous(wanted, idMatches.length > 0 && nameMatches.length === 0 ? 'id' : 'name prefix', matches);
  throw new ServiceError('not_found', `no run with id or name "${wanted}"`);
}
