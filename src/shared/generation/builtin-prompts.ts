// The built-in diagnostic prompt set, bundled (worker, main and renderer all import it; no file reads at run time).
import raw from '../../../resources/prompts/diagnostic.json' with { type: 'json' };
import { PromptSet } from './prompts.ts';

/** Parsed once at import: a malformed resource fails loudly in tests rather than at an eval step. */
export const builtInDiagnosticSet: PromptSet = PromptSet.parse(raw);
