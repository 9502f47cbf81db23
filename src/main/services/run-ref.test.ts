// A run is found by id, id prefix or suffix, name or name prefix; ambiguity is an error that names the candidates.
import { describe, expect, it } from 'vitest';
import { resolveRunRef } from './run-ref.ts';
import { ServiceError } from './errors.ts';

const runs = [
  { id: '20261202-0910-ab12', name: 'steps100-lr3e-4' },
  { id: '20261202-0911-cd34', name: 'steps100-lr1e-3' },
  { id: '20261202-0912-ef56', name: 'baseline' },
  { id: '20261202-0913-aa77', name: 'baseline', archived: true },
  { id: '20261202-0914-bb88', name: 'dup' },
  { id: '20261202-0915-cc99', name: 'dup' },
];

function failure(ref: string): ServiceError {
  try {
    resolveRunRef(ref, runs);
  } catch (e) {
    if (e instanceof ServiceError) return e;
    throw e;
  }
  throw new Error(`"${ref}" resolved`);
}

describe('resolveRunRef', () => {
  it('takes an exact id, a unique id prefix and a unique id suffix', () => {
    expect(resolveRunRef('20261202-0912-ef56', runs)).toBe('20261202-0912-ef56');
    expect(resolveRunRef('20261202-0910', runs)).toBe('20261202-0910-ab12');
    expect(resolveRunRef('cd34', runs)).toBe('20261202-0911-cd34');
  });

  it('takes an exact name and a unique name prefix', () => {
    expect(resolveRunRef('steps100-lr3e-4', runs)).toBe('20261202-0910-ab12');
    expect(resolveRunRef('steps100-lr1', runs)).toBe('20261202-0911-cd34');
  });

  it('prefers the one unarchived run when a name is shared with archived runs', () => {
    expect(resolveRunRef('baseline', runs)).toBe('20261202-0912-ef56');
  });

  it('refuses an ambiguous name or prefix, listing the candidates', () => {
    const dup = failure('dup');
    expect(dup.code).toBe('bad_request');
    expect(dup.message).toMatch(/"dup" is ambiguous: it matches 2 runs by name \(dup \(20261202-0914-bb88\), dup \(20261202-0915-cc99\)\)/);
    const prefix = failure('steps100');
    expect(prefix.message).toMatch(/matches 2 runs by name prefix/);
    expect(prefix.message).toContain('steps100-lr3e-4 (20261202-0910-ab12)');
    expect(failure('20261202').message).toMatch(/matches 6 runs by id.*and 1 more/);
  });

  it('says what it looked for when nothing matches', () => {
    const e = failure('nothing-like-it');
    expect(e.code).toBe('not_found');
    expect(e.message).toBe('no run with id or name "nothing-like-it"');
  });
});
