// Where a package's data files are: in node_modules when running from a checkout, or in the folder
// `npm run bundle` copies them to beside the bundled code (dist/, which has no node_modules).
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// Not named `require`: the desktop build prepends its own `require` to each chunk, and a second one breaks it.
const requireHere = createRequire(import.meta.url);

/** The folder of `file` inside package `pkg` (e.g. 'package.json'), else `bundled` beside this module's bundle. */
export function packageFolder(pkg: string, file: string, bundled: string): string {
  try {
    return dirname(requireHere.resolve(`${pkg}/${file}`));
  } catch {
    return fileURLToPath(new URL(`./${bundled}/`, import.meta.url));
  }
}
