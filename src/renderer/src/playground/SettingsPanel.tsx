// Sampler settings: decoding knobs with their meaning on hover, each field's error under it.
import type { SettingsForm } from './settings-form.ts';

const FIELDS: { key: Exclude<keyof SettingsForm, 'stop' | 'chat'>; label: string; hint: string; step: string }[] = [
  { key: 'maxTokens', label: 'Max tokens', hint: 'New tokens to generate.', step: '1' },
  { key: 'temperature', label: 'Temperature', hint: '0 = greedy (always the most likely token).', step: '0.1' },
  { key: 'topK', label: 'Top-k', hint: 'Sample among the k most likely tokens; 0 = off.', step: '1' },
  { key: 'topP', label: 'Top-p', hint: 'Sample from the smallest set holding this much probability; 1 = off.', step: '0.05' },
  { key: 'repetitionPenalty', label: 'Rep. penalty', hint: '> 1 discourages tokens already in the context; 1 = off.', step: '0.05' },
  { key: 'seed', label: 'Seed', hint: 'Same seed, settings and checkpoint → same text.', step: '1' },
];

export function SettingsPanel({
  form,
  errors,
  onChange,
  memorization,
  onMemorization,
}: {
  form: SettingsForm;
  errors: Partial<Record<keyof SettingsForm, string>>;
  onChange: (form: SettingsForm) => void;
  memorization: boolean;
  onMemorization: (on: boolean) => void;
}): React.JSX.Element {
  return (
    <div className="pg-settings" data-testid="sample-settings">
      {FIELDS.map((f) => (
        <label key={f.key} className="pg-field" title={f.hint}>
          <span>{f.label}</span>
          <input
            type="number"
            step={f.step}
            value={form[f.key]}
            aria-invalid={errors[f.key] ? true : undefined}
            onChange={(e) => onChange({ ...form, [f.key]: e.target.value })}
            data-testid={`setting-${f.key}`}
          />
          {errors[f.key] && <span className="error small">{errors[f.key]}</span>}
        </label>
      ))}
      <label className="pg-field wide" title="One per line; \n stands for a newline.">
        <span>Stop sequences</span>
        <textarea rows={2} value={form.stop} onChange={(e) => onChange({ ...form, stop: e.target.value })} placeholder={'one per line, e.g. \\n\\n'} />
        {errors.stop && <span className="error small">{errors.stop}</span>}
      </label>
      <label className="pg-field" title="Wrap the prompt in the run's chat template (Q: … A:) and stop at its end marker. auto: for fine-tuned checkpoints; on: also for a base model, to put base and fine-tuned answers side by side.">
        <span>Chat template</span>
        <select value={form.chat} onChange={(e) => onChange({ ...form, chat: e.target.value as SettingsForm['chat'] })} data-testid="setting-chat">
          <option value="auto">auto</option>
          <option value="on">on</option>
          <option value="off">off</option>
        </select>
      </label>
      <label className="toggle" title="Find the longest span of the output that appears verbatim in the run's training data.">
        <input type="checkbox" checked={memorization} onChange={(e) => onMemorization(e.target.checked)} /> memorisation check
      </label>
    </div>
  );
}
