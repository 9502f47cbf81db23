// Per-token entropy strip under the text: one cell per token (bucketed when long), calm to hot.
import { bucketEntropies, entropyColour, entropyScaleMax } from './entropy-colour.ts';
import { formatValue } from '../lib/format.ts';

const MAX_CELLS = 512;

export function EntropyStrip({
  entropies,
  vocabSize,
  hoverToken,
  onHoverToken,
}: {
  entropies: readonly number[];
  vocabSize?: number | null;
  hoverToken?: number | null;
  onHoverToken?: (token: number | null) => void;
}): React.JSX.Element | null {
  if (entropies.length === 0) return null;
  const max = entropyScaleMax(entropies, vocabSize);
  const buckets = bucketEntropies(entropies, MAX_CELLS);
  return (
    <div className="pg-entropy" data-testid="entropy-strip" data-tokens={entropies.length} onMouseLeave={() => onHoverToken?.(null)}>
      <div className="pg-entropy-cells">
        {buckets.map((b) => {
          const on = hoverToken != null && hoverToken >= b.from && hoverToken < b.to;
          const label = b.to - b.from === 1 ? `token ${b.from}` : `tokens ${b.from}–${b.to - 1}`;
          return (
            <span
              key={b.from}
              className={on ? 'on' : undefined}
              style={{ background: Number.isFinite(b.value) ? entropyColour(b.value, max) : 'var(--border)' }}
              title={`${label}: ${formatValue(b.value, 3)} nats`}
              onMouseEnter={() => onHoverToken?.(b.from)}
            />
          );
        })}
      </div>
      <div className="pg-entropy-scale muted small">
        <span>entropy per token</span>
        <span className="pg-entropy-grad" />
        <span>0 – {formatValue(max, 3)} nats</span>
      </div>
    </div>
  );
}
