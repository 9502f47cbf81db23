// The prompts × checkpoints grid: every cell's text (loop and memorised spans highlighted) and metrics, and a
// footer per column with the prompt-set summary, cross-prompt sameness and which way each measure moved.
import type { Grid, GridCell } from '../../../shared/api/samples.ts';
import type { PromptSetSummary } from '../../../shared/generation/diagnosis.ts';
import { formatValue } from '../lib/format.ts';
import { alikeCounts, cellAt, columnLabels } from './grid-view.ts';
import { HighlightedText, QuietText } from './SampleOutput.tsx';
import { isMemorized, memorizedThreshold, MEMORIZED_MIN_TOKENS } from '../../../shared/generation/memorization.ts';
import { seqRepLevel, summaryRows, trend } from './metrics-view.ts';

const ARROW = { better: '▲', worse: '▼', same: '＝' } as const;

/** Per summary row: which way is good, and the value compared. */
const DIRECTION: Record<string, { higher: boolean; pick: (s: PromptSetSummary) => number | null }> = {
  'seq-rep-4': { higher: false, pick: (s) => s.seqRep4 },
  'distinct-2': { higher: true, pick: (s) => s.distinct2 },
  loops: { higher: false, pick: (s) => s.loopFraction },
  keyword: { higher: true, pick: (s) => s.keywordScore },
  sameness: { higher: false, pick: (s) => s.sameness.score },
};

function Cell({ cell, live, alike }: { cell: GridCell | null; live: string | undefined; alike: number }): React.JSX.Element {
  if (!cell) return <td className="pg-cell" />;
  const s = cell.sample;
  if (cell.status === 'error') return <td className="pg-cell" data-status="error"><span className="error small">{cell.error ?? 'failed'}</span></td>;
  if (!s) {
    return (
      <td className="pg-cell" data-status={cell.status}>
        {live ? <div className="pg-cell-text mono"><QuietText text={live} /><span className="pg-caret">▍</span></div> : <span className="muted small">{cell.status}…</span>}
      </td>
    );
  }
  const d = s.diagnostics;
  return (
    <td className={alike > 0 ? 'pg-cell pg-alike' : 'pg-cell'} data-status={cell.status} data-testid="grid-cell" data-alike={alike}>
      <div className="pg-cell-text mono" title={s.text}>
        <HighlightedText text={s.text} pieces={s.pieces} diagnostics={d} />
      </div>
      <div className="pg-cell-metrics small">
        <span className={`lvl-${seqRepLevel(d.seqRep[4], 4)}`} title="seq-rep-4">rep4 {(d.seqRep[4] * 100).toFixed(0)}%</span>
        <span title="distinct-2">d2 {(d.distinct[2] * 100).toFixed(0)}%</span>
        <span title="mean next-token entropy (nats)">H {formatValue(d.meanEntropy, 2)}</span>
        {d.loop && <span className="lvl-bad" title={`loop of period ${d.loop.period}`}>loop p{d.loop.period}</span>}
        {d.keyword && <span className={d.keyword.score >= 1 ? 'lvl-ok' : 'lvl-warn'} title={`found: ${d.keyword.matched.join(', ') || 'none'}`}>kw {(d.keyword.score * 100).toFixed(0)}%</span>}
        {d.memorization && d.memorization.length > 0 && (
          <span
            className={isMemorized(d.memorization) ? 'lvl-warn' : 'muted'}
            data-memorized={isMemorized(d.memorization) ? '1' : '0'}
            title={`longest span also in the training data (at offset ${d.memorization.sourceOffset}, occurs ${d.memorization.occurrences}×); memorised from ${memorizedThreshold(d.memorization.occurrences)} tokens`}
          >
            mem {d.memorization.length}
          </span>
        )}
        {alike > 0 && <span className="lvl-bad" data-testid="alike-flag" title="near-identical to other prompts' outputs in this column (4-gram Jaccard ≥ 0.8)">≈ {alike} other prompt{alike === 1 ? '' : 's'}</span>}
      </div>
    </td>
  );
}

export function GridTable({ grid, live }: { grid: Grid; live: Map<string, string> }): React.JSX.Element {
  const labels = columnLabels(grid.columns);
  const alike = grid.columns.map((_, col) => alikeCounts(grid.rows.map((_r, row) => cellAt(grid, row, col))));
  return (
    <div className="table-wrap pg-grid-wrap">
      <table className="pg-grid" data-testid="grid-table" data-status={grid.status}>
        <thead>
          <tr>
            <th>Prompt</th>
            {labels.map((l, i) => <th key={i}>{l}</th>)}
          </tr>
        </thead>
        <tbody>
          {grid.rows.map((r, row) => (
            <tr key={r.id}>
              <th className="pg-row-head" title={r.prompt}>
                <div className="mono pg-row-prompt">{r.prompt}</div>
                {r.expectedKeywords.length > 0 && (
                  <div className="muted small">expects {r.expectedKeywords.map((k) => (typeof k === 'string' ? k : k.join('|'))).join(', ')}</div>
                )}
              </th>
              {grid.columns.map((_, col) => {
                const cell = cellAt(grid, row, col);
                return <Cell key={col} cell={cell} live={cell?.sampleId ? live.get(cell.sampleId) : undefined} alike={alike[col]![row]!} />;
              })}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th className="pg-row-head">Column summary</th>
            {grid.columns.map((c, col) => {
              const prev = col > 0 ? grid.columns[col - 1]!.summary : null;
              return (
                <td key={col} className="pg-summary" data-testid="grid-summary">
                  {c.summary ? (
                    <dl className="pg-metrics">
                      {summaryRows(c.summary).map((m) => {
                        const dir = DIRECTION[m.key];
                        const t = dir && prev && c.summary ? trend(dir.pick(prev), dir.pick(c.summary), dir.higher) : null;
                        return (
                          <div key={m.key} className="kv-row" title={m.hint} data-metric={m.key}>
                            <dt>{m.label}</dt>
                            <dd className={`mono lvl-${m.level}`}>
                              {m.value}
                              {t && <span className={`pg-trend t-${t}`} title={`${t} than the column before`}> {ARROW[t]}</span>}
                            </dd>
                          </div>
                        );
                      })}
                    </dl>
                  ) : (
                    <span className="muted small">—</span>
                  )}
                </td>
              );
            })}
          </tr>
        </tfoot>
      </table>
      <div className="muted small pg-grid-legend" data-testid="grid-legend">
        <b>rep4</b> share of repeated 4-grams (high: the text loops) · <b>d2</b> distinct bigrams (low: repetitive) · <b>H</b> mean next-token
        entropy in nats (low: confident, high: guessing) · <b>kw</b> expected keywords found · <b>loop pN</b> the tail repeats a cycle of N
        tokens · <b>mem</b> longest span also found verbatim in the training data, highlighted as memorised only when longer than chance
        allows ({MEMORIZED_MIN_TOKENS}+ tokens for a passage seen once, more for common phrasing) · <b>≈ k other prompts</b> the output is
        near-identical to those of k other prompts in the column (a collapsed model answers everything the same way).
      </div>
    </div>
  );
}
