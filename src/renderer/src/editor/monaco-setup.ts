// Monaco, bundled locally (no CDN): only the editor core and YAML (via monaco-yaml, in its own worker).
// The JSON Schema handed to monaco-yaml is generated from the same zod schema main validates with.
import * as monaco from 'monaco-editor/editor/editor.api.js';
import 'monaco-editor/languages/definitions/yaml/register.js';
import { configureMonacoYaml, type MonacoYaml } from 'monaco-yaml';
import EditorWorker from 'monaco-editor/editor/editor.worker.js?worker';
import YamlWorker from 'monaco-yaml/yaml.worker.js?worker';

declare global {
  interface Window {
    MonacoEnvironment?: { getWorker(moduleId: string, label: string): Worker };
  }
}

export const configModelUri = 'file:///loupe/run-config.yaml';
let yaml: MonacoYaml | null = null;

export function setupMonaco(jsonSchema: object): typeof monaco {
  window.MonacoEnvironment = {
    getWorker(_moduleId, label) {
      return label === 'yaml' ? new YamlWorker() : new EditorWorker();
    },
  };
  if (!yaml) {
    yaml = configureMonacoYaml(monaco, {
      enableSchemaRequest: false,
      hover: true,
      completion: true,
      validate: true,
      schemas: [{ uri: 'loupe://schemas/run-config.json', fileMatch: ['**/run-config.yaml'], schema: jsonSchema as never }],
    });
  }
  return monaco;
}
