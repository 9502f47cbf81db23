// The hybrid family's layer pattern: one letter per layer, M for a Mamba block and A for an attention block.
// Kept apart from the layouts so the config schema can check a pattern without importing them.

export type HybridBlock = 'M' | 'A';

/** The default: the first half Mamba (rounded up), the rest attention, as in the architecture study. */
export function defaultHybridPattern(nLayer: number): string {
  const m = Math.ceil(nLayer / 2);
  return 'M'.repeat(m) + 'A'.repeat(nLayer - m);
}

/** Why a pattern cannot describe n_layer blocks, or null when it can. */
export function hybridPatternProblem(pattern: string, nLayer: number): string | null {
  const bad = [...pattern].find((c) => c !== 'M' && c !== 'A');
  if (bad != null) return `"${pattern}" has "${bad}": use M (Mamba) and A (attention), one letter per layer`;
  if (pattern.length !== nLayer) return `"${pattern}" has ${pattern.length} letters but n_layer is ${nLayer}: one letter per layer`;
  return null;
}

/** Each layer's block kind for a model (`layers` null: the default pattern). */
export function hybridBlocks(spec: { layers: string | null; n_layer: number }): HybridBlock[] {
  const pattern = spec.layers ?? defaultHybridPattern(spec.n_layer);
  const problem = hybridPatternProblem(pattern, spec.n_layer);
  if (problem) throw new Error(`model.layers: ${problem}`);
  return [...pattern] as HybridBlock[];
}
