// Prompt box: the prompt, optional expected keywords, a quick pick from the prompt sets, Generate / Cancel.
import type { PromptSetEntry } from '../../../shared/api/samples.ts';
import { formatKeywords } from './prompt-input.ts';

export function PromptBox({
  prompt,
  keywords,
  onPrompt,
  onKeywords,
  sets,
  running,
  canGenerate,
  onGenerate,
  onCancel,
}: {
  prompt: string;
  keywords: string;
  onPrompt: (p: string) => void;
  onKeywords: (k: string) => void;
  sets: PromptSetEntry[];
  running: boolean;
  canGenerate: boolean;
  onGenerate: () => void;
  onCancel: () => void;
}): React.JSX.Element {
  const pick = (value: string): void => {
    const [setId, promptId] = value.split('\u0000');
    const p = sets.find((s) => s.set.id === setId)?.set.prompts.find((x) => x.id === promptId);
    if (!p) return;
    onPrompt(p.prompt);
    onKeywords(formatKeywords(p.expectedKeywords));
  };
  return (
    <div className="pg-promptbox">
      <textarea
        className="mono"
        rows={4}
        value={prompt}
        placeholder="Type a prompt… (Ctrl+Enter samples)"
        onChange={(e) => onPrompt(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            if (!running && canGenerate) onGenerate();
          }
        }}
        aria-label="Prompt"
        data-testid="prompt-input"
      />
      <div className="pg-promptbar">
        <input
          className="pg-keywords"
          value={keywords}
          onChange={(e) => onKeywords(e.target.value)}
          placeholder="expected keywords: 2|two, apples"
          title="Keyword score: the fraction of these found in the continuation. Commas separate keywords; a|b are alternatives."
          aria-label="Expected keywords"
        />
        <select value="" onChange={(e) => pick(e.target.value)} aria-label="Insert a prompt from a set" data-testid="prompt-pick">
          <option value="">Insert from a prompt set…</option>
          {sets.map((s) => (
            <optgroup key={s.set.id} label={s.set.name}>
              {s.set.prompts.map((p) => (
                <option key={p.id} value={`${s.set.id}\u0000${p.id}`}>
                  {p.prompt.length > 70 ? `${p.prompt.slice(0, 70)}…` : p.prompt}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        <span className="spacer" />
        {running ? (
          <button onClick={onCancel} data-testid="cancel-sample">■ Cancel</button>
        ) : (
          <button className="primary" disabled={!canGenerate} onClick={onGenerate} data-testid="generate">
            Generate <kbd>Ctrl ↵</kbd>
          </button>
        )}
      </div>
    </div>
  );
}
