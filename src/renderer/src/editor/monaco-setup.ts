// Monaco, bundled locally (no CDN): only the editor core and YAML (via monaco-yaml, in its own worker).
// The JSON Schema handed to monaco-yaml is generated from the same zod schema main validates with.
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/languages/definitions/yaml/register.js';
// editor.api.js is the bare editor: the config editor's hover docs, completion list, inline-error navigation, find,
// folding and the diff editor's commands are contributions, loaded one by one (not the whole editor.main).
import 'monaco-editor/features/codicon/register.js';
import 'monaco-editor/features/hover/register.js';
import 'monaco-editor/features/suggest/register.js';
// The suggest feature registers only inline suggestions; the completion list itself is this controller.
import 'monaco-editor/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/features/snippet/register.js';
import 'monaco-editor/features/codeAction/register.js';
import 'monaco-editor/features/gotoError/register.js';
import 'monaco-editor/features/find/register.js';
import 'monaco-editor/features/folding/register.js';
import 'monaco-editor/features/bracketMatching/register.js';
import 'monaco-editor/features/comment/register.js';
import 'monaco-editor/features/contextmenu/register.js';
import 'monaco-editor/features/clipboard/register.js';
import 'monaco-editor/features/linesOperations/register.js';
import 'monaco-editor/features/wordOperations/register.js';
import 'monaco-editor/features/indentation/register.js';
import 'monaco-editor/features/diffEditor/register.js';
import { configureMonacoYaml, type MonacoYaml } from 'monaco-yaml';
import EditorWorker from 'monaco-editor/editor/editor.worker.js?worker';
import YamlWorker from 'monaco-yaml/yaml.worker.js?worker';
import { CONFIG_SCHEMA_URI } from '../../../shared/config-schema.ts';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(moduleId: string, label: string): Worker };
  }
}

export const configModelUri = 'file:///loupe/run-config.yaml';
let yaml: MonacoYaml | null = null;

/** What monaco-yaml (through monaco-worker-manager 2) still passes to editor.createWebWorker: the pre-0.55 options. */
interface LegacyWorkerOptions {
  moduleId: string;
  label?: string;
  createData?: unknown;
  host?: monaco.editor.IInternalWebWorkerOptions['host'];
  keepIdleModels?: boolean;
}

/**
 * Monaco 0.55+ wants a ready Worker in createWebWorker; monaco-yaml 5 still passes a module id and createData, so its
 * worker never starts and hover, completion and validation silently do nothing. This hands monaco-yaml a monaco whose
 * createWebWorker speaks the old options, doing what Monaco's own language workers do: start the worker, send it the
 * "ignore" kick-off message and the createData, then wrap it.
 */
function withLegacyWorkers(m: typeof monaco): typeof monaco {
  const createWebWorker = (opts: LegacyWorkerOptions): monaco.editor.MonacoWebWorker<object> => {
    const worker = opts.label === 'yaml' ? new YamlWorker() : new EditorWorker();
    worker.postMessage('ignore');
    worker.postMessage(opts.createData);
    return m.editor.createWebWorker({ worker, host: opts.host, keepIdleModels: opts.keepIdleModels });
  };
  return { ...m, editor: { ...m.editor, createWebWorker } } as unknown as typeof monaco;
}

export function setupMonaco(jsonSchema: object): typeof monaco {
  window.MonacoEnvironment = {
    getWorker(_moduleId, label) {
      return label === 'yaml' ? new YamlWorker() : new EditorWorker();
    },
  };
  if (!yaml) {
    yaml = configureMonacoYaml(withLegacyWorkers(monaco), {
      enableSchemaRequest: false,
      hover: true,
      completion: true,
      validate: true,
      schemas: [{ uri: CONFIG_SCHEMA_URI, fileMatch: ['**/run-config.yaml'], schema: jsonSchema as never }],
    });
  }
  return monaco;
}
