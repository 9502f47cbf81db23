// Playground: sample any checkpoint and see its failure modes measured — one streamed sample with its loop,
// memorised span and entropy strip; a grid of prompts × checkpoints; and every stored sample to browse.
import { useEffect, useMemo, useState } from 'react';
import type { CheckpointRef, Sample } from '../../../shared/api/samples.ts';
import { navigate } from '../router.ts';
import { CheckpointPicker } from '../playground/CheckpointPicker.tsx';
import { GridPanel } from '../playground/GridPanel.tsx';
import { MetricsPanel } from '../playground/MetricsPanel.tsx';
import { PromptBox } from '../playground/PromptBox.tsx';
import { SampleBrowser } from '../playground/SampleBrowser.tsx';
import { SampleOutput } from '../playground/SampleOutput.tsx';
import { SettingsPanel } from '../playground/SettingsPanel.tsx';
import { formatKeywords, parseKeywords } from '../playground/prompt-input.ts';
import { defaultSettingsForm, formFromSettings, parseSettingsForm, type SettingsForm } from '../playground/settings-form.ts';
import { streamText, type StreamState } from '../playground/stream.ts';
import { usePromptSets, useSampleableRuns, useVocabSize } from '../playground/use-playground-data.ts';
import { useSampleStream } from '../playground/use-sample-stream.ts';
import '../playground/playground.css';

type Mode = 'sample' | 'grid' | 'browse';

const PHASE_LABEL: Record<StreamState['phase'], string> = {
  starting: 'starting…',
  queued: 'queued…',
  loading: 'loading checkpoint…',
  indexing: 'indexing training data…',
  generating: 'generating…',
  diagnosing: 'measuring…',
  done: 'done',
  error: 'failed',
};

export function PlaygroundPage({ runId }: { runId: string | null }): React.JSX.Element {
  const { runs, error: runsError, loaded } = useSampleableRuns();
  const { sets, error: setsError, reload: reloadSets } = usePromptSets();
  const [mode, setMode] = useState<Mode>('sample');
  const [checkpoint, setCheckpoint] = useState<CheckpointRef | null>(runId ? { runId, step: null } : null);
  const [form, setForm] = useState<SettingsForm>(defaultSettingsForm);
  const [memorization, setMemorization] = useState(true);
  const [prompt, setPrompt] = useState('');
  const [keywords, setKeywords] = useState('');
  const sample = useSampleStream();
  const vocabSize = useVocabSize(sample.checkpoint?.runId ?? null);

  const parsed = useMemo(() => parseSettingsForm(form), [form]);
  const settings = parsed.ok ? parsed.settings : null;
  const errors = parsed.ok ? {} : parsed.errors;

  // The route names a run; without one, start on the newest run that has a checkpoint.
  useEffect(() => {
    if (runId) setCheckpoint((c) => (c?.runId === runId ? c : { runId, step: null }));
  }, [runId]);
  useEffect(() => {
    if (checkpoint || !loaded) return;
    const first = runs.find((r) => r.checkpoints.length > 0);
    if (first) setCheckpoint({ runId: first.runId, step: null });
  }, [checkpoint, loaded, runs]);

  const chosenRun = runs.find((r) => r.runId === checkpoint?.runId) ?? null;
  const noCheckpoint = loaded && chosenRun !== null && chosenRun.checkpoints.length === 0;
  const canGenerate = settings !== null && checkpoint !== null && prompt.length > 0 && !noCheckpoint;

  const generate = (): void => {
    if (!settings || !checkpoint || !prompt) return;
    const kw = parseKeywords(keywords);
    sample.start({ checkpoint, prompt, settings, memorization, ...(kw.length ? { expectedKeywords: kw } : {}) });
  };

  const openStored = (s: Sample): void => {
    setPrompt(s.prompt);
    setKeywords(formatKeywords(s.expectedKeywords ?? []));
    setForm(formFromSettings(s.settings));
    setCheckpoint({ runId: s.runId, step: s.step });
    sample.show(
      { sampleId: s.id, pieces: s.pieces, entropies: s.entropies, phase: 'done', sample: s, error: null, startedAt: s.createdAt },
      s.prompt,
      { runId: s.runId, runName: s.runName, step: s.step },
    );
    setMode('sample');
  };

  const st = sample.stream;
  const done = st?.sample ?? null;
  const elapsed = st && !done ? (Date.now() - st.startedAt) / 1000 : null;

  return (
    <section className="playground" data-testid="playground-page">
      <div className="run-head">
        <div className="crumbs">
          <strong className="run-title">Playground</strong>
          {checkpoint && chosenRun && (
            <a href={`#/run/${encodeURIComponent(checkpoint.runId)}`} className="small" onClick={(e) => { e.preventDefault(); navigate({ page: 'run', runId: checkpoint.runId }); }}>
              ← {chosenRun.runName}
            </a>
          )}
        </div>
        <div className="pg-tabs" role="tablist">
          {(['sample', 'grid', 'browse'] as const).map((m) => (
            <button key={m} role="tab" aria-selected={mode === m} className={`ghost small${mode === m ? ' on' : ''}`} onClick={() => setMode(m)} data-testid={`tab-${m}`}>
              {m === 'sample' ? 'Sample' : m === 'grid' ? 'Grid: prompts × checkpoints' : 'Stored samples'}
            </button>
          ))}
        </div>
      </div>
      {runsError && <div className="error banner" role="alert">Could not list checkpoints: {runsError}</div>}
      {setsError && <div className="error banner" role="alert">Could not load prompt sets: {setsError}</div>}
      {loaded && !runs.some((r) => r.checkpoints.length > 0) && (
        <div className="empty-state" data-testid="playground-empty">
          <h2>No checkpoint to sample yet</h2>
          <p>Train a run first (<a href="#/">Runs</a> → Run baseline); its checkpoints show up here as they are written, also while it trains.</p>
        </div>
      )}
      <div className={mode === 'browse' ? 'pg-body pg-wide' : 'pg-body'}>
        {mode !== 'browse' && (
          <aside className="pg-side">
            {mode === 'sample' && (
              <div className="panel">
                <h3>Checkpoint</h3>
                <CheckpointPicker runs={runs} value={checkpoint} onChange={setCheckpoint} />
                {noCheckpoint && <div className="muted small">This run has no checkpoint yet; one appears at its first eval.</div>}
              </div>
            )}
            <div className="panel">
              <h3>Settings</h3>
              <SettingsPanel form={form} errors={errors} onChange={setForm} memorization={memorization} onMemorization={setMemorization} />
            </div>
          </aside>
        )}
        <div className="pg-main">
          {mode === 'sample' && (
            <>
              <PromptBox
                prompt={prompt}
                keywords={keywords}
                onPrompt={setPrompt}
                onKeywords={setKeywords}
                sets={sets}
                running={sample.running}
                canGenerate={canGenerate}
                onGenerate={generate}
                onCancel={sample.cancel}
              />
              {sample.startError && <div className="error banner" role="alert">{sample.startError}</div>}
              {st && (
                <div className="panel pg-result" data-testid="sample-result" data-phase={st.phase}>
                  <div className="pg-detail-head small">
                    {sample.checkpoint && <strong>{sample.checkpoint.runName} @ step {sample.checkpoint.step}</strong>}
                    <span className="muted" data-testid="sample-phase">{PHASE_LABEL[st.phase]}</span>
                    <span className="muted">
                      {st.pieces.length} tokens
                      {done?.tokensPerS ? ` · ${done.tokensPerS.toFixed(0)} tok/s` : elapsed && elapsed > 0.5 ? ` · ${(st.pieces.length / elapsed).toFixed(0)} tok/s` : ''}
                      {done ? ` · ${done.finish}` : ''}
                    </span>
                  </div>
                  {st.error && <div className="error small" role="alert">{st.error}</div>}
                  {done?.warnings.map((w) => <div key={w} className="warn-text small">{w}</div>)}
                  <div className="pg-result-body">
                    <SampleOutput
                      prompt={sample.prompt}
                      text={streamText(st)}
                      pieces={st.pieces}
                      entropies={st.entropies}
                      diagnostics={done?.diagnostics ?? null}
                      memorizedSource={done?.memorizedSource ?? null}
                      streaming={st.phase !== 'done' && st.phase !== 'error'}
                      vocabSize={vocabSize}
                    />
                    <div className="pg-result-metrics">
                      {done ? <MetricsPanel diagnostics={done.diagnostics} /> : <div className="muted small">Metrics appear when the sample finishes.</div>}
                    </div>
                  </div>
                </div>
              )}
            </>
          )}
          {mode === 'grid' && <GridPanel runs={runs} sets={sets} reloadSets={reloadSets} settings={settings} memorization={memorization} initialRunId={checkpoint?.runId ?? runId} />}
          {mode === 'browse' && <SampleBrowser runs={runs} onOpen={openStored} />}
        </div>
      </div>
    </section>
  );
}
