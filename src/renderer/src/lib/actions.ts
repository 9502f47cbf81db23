// Actions reachable from several places (button, shortcut, native menu): one implementation each.
import { getClient } from '../api/client.ts';
import { navigate } from '../router.ts';
import { errorMessage } from './errors.ts';
import { pushToast } from './toasts.ts';

let starting = false;

/** One click: fine-tune the newest finished baseline on the built-in question–answer set and open the run. */
export async function runFineTune(): Promise<string | null> {
  if (starting) return null;
  starting = true;
  try {
    const run = await getClient().call('runs.startFineTune', {});
    navigate({ page: 'run', runId: run.id });
    return null;
  } catch (e) {
    const msg = errorMessage(e);
    pushToast({ kind: 'error', title: 'Could not start fine-tuning', body: msg });
    return msg;
  } finally {
    starting = false;
  }
}

/** One click: start the baseline and open its page. Returns the error line, or null. */
export async function runBaseline(scale?: number): Promise<string | null> {
  if (starting) return null;
  starting = true;
  try {
    const run = await getClient().call('runs.startBaseline', scale === undefined || scale === 1 ? {} : { scale });
    navigate({ page: 'run', runId: run.id });
    return null;
  } catch (e) {
    const msg = errorMessage(e);
    pushToast({ kind: 'error', title: 'Could not start the baseline', body: msg });
    return msg;
  } finally {
    starting = false;
  }
}
