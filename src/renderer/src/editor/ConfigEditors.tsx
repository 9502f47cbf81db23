// The YAML editor (schema-aware through monaco-yaml) and the side-by-side diff against the baseline, on one shared
// model so both always show the same text. Monaco is loaded on first use, keeping it out of the other pages' load.
import { useEffect, useRef, useState } from 'react';
import type * as Monaco from 'monaco-editor/editor/editor.api.js';
import { configJsonSchema } from '../../../shared/config-schema.ts';
import type { TextConfigIssue } from '../../../shared/config-yaml.ts';
import { errorMessage } from '../lib/errors.ts';
import { issueMessage } from './editor-model.ts';

type MonacoApi = typeof Monaco;

export interface ConfigEditorsProps {
  /** The baseline's config as YAML (left side of the diff). */
  baseText: string;
  /** The text the editor opens with; later changes of this prop are ignored (remount to load another baseline). */
  initialText: string;
  onChange: (text: string) => void;
  /** Problems found by the zod schema (cross-field rules included), shown as squiggles with their field path. */
  issues: readonly TextConfigIssue[];
  dark: boolean;
  /** Filled once the editor is ready: replaces the text as one undoable edit (the run-length control uses it). */
  handle?: React.RefObject<ConfigEditorsHandle | null>;
}

export interface ConfigEditorsHandle {
  setText(text: string): void;
}

const COMMON: Monaco.editor.IEditorOptions = {
  minimap: { enabled: false },
  fontSize: 13,
  scrollBeyondLastLine: false,
  automaticLayout: true,
  renderValidationDecorations: 'on',
  fixedOverflowWidgets: true,
  // A real textarea instead of Chromium's EditContext: the app's single-key shortcuts stand down only while a text
  // field (input, textarea, contenteditable) has focus, and an EditContext host is none of those.
  editContext: false,
};

export function ConfigEditors({ baseText, initialText, onChange, issues, dark, handle }: ConfigEditorsProps): React.JSX.Element {
  const editorEl = useRef<HTMLDivElement>(null);
  const diffEl = useRef<HTMLDivElement>(null);
  const monaco = useRef<MonacoApi | null>(null);
  const model = useRef<Monaco.editor.ITextModel | null>(null);
  const original = useRef<Monaco.editor.ITextModel | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  const [ready, setReady] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let disposed = false;
    const cleanup: { dispose(): void }[] = [];
    import('./monaco-setup.ts')
      .then(({ setupMonaco, configModelUri }) => {
        if (disposed || !editorEl.current || !diffEl.current) return;
        const m = setupMonaco(configJsonSchema());
        const uri = m.Uri.parse(configModelUri);
        m.editor.getModel(uri)?.dispose();
        const modified = m.editor.createModel(initialText, 'yaml', uri);
        const base = m.editor.createModel(baseText, 'yaml', m.Uri.parse('file:///loupe/baseline.yaml'));
        const editor = m.editor.create(editorEl.current, { ...COMMON, model: modified, tabSize: 2, insertSpaces: true, quickSuggestions: true });
        const diff = m.editor.createDiffEditor(diffEl.current, {
          ...COMMON,
          renderSideBySide: true,
          originalEditable: false,
          readOnly: true,
          renderOverviewRuler: false,
          ignoreTrimWhitespace: false,
          // The config is long and an ablation changes a line or two: fold what is equal, show the changes in context.
          hideUnchangedRegions: { enabled: true, contextLineCount: 2, minimumLineCount: 3, revealLineCount: 10 },
        });
        diff.setModel({ original: base, modified });
        const listener = modified.onDidChangeContent(() => onChangeRef.current(modified.getValue()));
        // Widgets let go of their models before the models go: a model disposed while the diff editor still holds it
        // throws "TextModel got disposed before DiffEditorWidget model got reset".
        cleanup.push(listener, { dispose: () => diff.setModel(null) }, diff, { dispose: () => editor.setModel(null) }, editor, modified, base);
        if (handle) {
          handle.current = {
            setText: (text) => {
              if (text === modified.getValue()) return;
              editor.pushUndoStop();
              editor.executeEdits('loupe', [{ range: modified.getFullModelRange(), text }]);
              editor.pushUndoStop();
            },
          };
        }
        monaco.current = m;
        model.current = modified;
        original.current = base;
        setReady(true);
      })
      .catch((e: unknown) => setLoadError(errorMessage(e)));
    return () => {
      disposed = true;
      if (handle) handle.current = null;
      for (const d of cleanup) d.dispose();
      monaco.current = null;
      model.current = null;
      original.current = null;
    };
    // Mount once per baseline: the page remounts this component (by key) to load another one.
  }, []);

  useEffect(() => {
    if (ready && original.current && original.current.getValue() !== baseText) original.current.setValue(baseText);
  }, [ready, baseText]);

  useEffect(() => {
    monaco.current?.editor.setTheme(dark ? 'vs-dark' : 'vs');
  }, [ready, dark]);

  useEffect(() => {
    const m = monaco.current;
    const target = model.current;
    if (!m || !target) return;
    const lineCount = target.getLineCount();
    m.editor.setModelMarkers(
      target,
      'loupe',
      issues.map((issue) => {
        const line = Math.min(issue.line ?? 1, lineCount);
        const endLine = Math.min(issue.endLine ?? line, lineCount);
        return {
          severity: m.MarkerSeverity.Error,
          message: issueMessage(issue),
          source: 'run config',
          startLineNumber: line,
          startColumn: issue.column ?? 1,
          endLineNumber: endLine,
          endColumn: issue.endColumn ?? target.getLineMaxColumn(endLine),
        };
      }),
    );
  }, [ready, issues]);

  return (
    <div className="config-editors">
      {loadError && <div className="error banner" role="alert">Could not load the editor: {loadError}</div>}
      <div className="editor-pane">
        <div className="pane-title">Config <span className="muted small">YAML · hover a field for its docs, Ctrl+Space to complete</span></div>
        <div className="monaco-host editor-host" ref={editorEl} data-testid="config-editor" data-ready={ready ? '1' : '0'} />
      </div>
      <div className="editor-pane">
        <div className="pane-title">Diff vs baseline <span className="muted small">left: baseline · right: this run</span></div>
        <div className="monaco-host diff-host" ref={diffEl} data-testid="config-diff" />
      </div>
    </div>
  );
}
