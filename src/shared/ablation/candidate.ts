// Everything the "new run from a baseline" editor reads out live for a candidate config, in one call:
// what changed, the one-variable warning, a suggested name, parameters, tokens per update and the √-rule LR.
import type { RunConfig } from '../config.ts';
import { countChanged, diffConfigs, oneVariableWarning } from './diff.ts';
import type { ConfigChange } from './diff.ts';
import { suggestRunName } from './naming.ts';
import { estimateParams, suggestLr, tokensPerUpdate } from './recipe.ts';
import type { LrSuggestion, ParamEstimate } from './recipe.ts';

export interface CandidateReview {
  /** Every changed leaf, seed and name included (the diff editor shows them all). */
  changes: ConfigChange[];
  /** Changed fields, seed and name aside. */
  changedCount: number;
  /** Why to change one thing at a time, when more than one field changed; else null. */
  warning: string | null;
  suggestedName: string;
  params: ParamEstimate;
  baseParams: ParamEstimate;
  tokensPerUpdate: number;
  baseTokensPerUpdate: number;
  /** The √-rule LR when tokens per update changed (batch or block), else null. */
  lrSuggestion: LrSuggestion | null;
  /** True when the candidate's lr already equals the √-rule suggestion (to 2 significant digits). */
  lrFollowsSqrtRule: boolean | null;
}

/** The live readout of a candidate against its baseline. `vocabSize` is needed for the char tokenizer only. */
export function reviewCandidate(base: RunConfig, candidate: RunConfig, vocabSize?: number): CandidateReview {
  const changes = diffConfigs(base, candidate);
  const lrSuggestion = suggestLr(base, candidate);
  return {
    changes,
    changedCount: countChanged(changes),
    warning: oneVariableWarning(changes),
    suggestedName: suggestRunName(changes),
    params: estimateParams(candidate, vocabSize),
    baseParams: estimateParams(base, vocabSize),
    tokensPerUpdate: tokensPerUpdate(candidate),
    baseTokensPerUpdate: tokensPerUpdate(base),
    lrSuggestion,
    lrFollowsSqrtRule: lrSuggestion ? candidate.train.lr.toPrecision(2) === lrSuggestion.lr.toPrecision(2) : null,
  };
}
