// Toasts for alerts as they fire during a live run: a warning or error once per episode (and again only if
// it escalates), linking to the run; info alerts and updates of an episode already shown stay quiet.
import { useEffect } from 'react';
import { alertSteps, alertTitle, shouldAnnounce, type Severity } from '../../../shared/alerts.ts';
import { getClient } from '../api/client.ts';
import { pushToast } from '../lib/toasts.ts';

export function useAlertToasts(): void {
  useEffect(() => {
    const announced = new Map<string, Severity>();
    return getClient().on('run.alert', ({ runId, alert }) => {
      if (!shouldAnnounce(announced, { ...alert, runId })) return;
      pushToast(
        {
          kind: alert.severity,
          title: `${alertTitle(alert)} at ${alertSteps(alert)}`,
          body: `${alert.message} ${alert.advice}`,
          href: `#/run/${encodeURIComponent(runId)}`,
        },
        alert.severity === 'error' ? 20_000 : 10_000,
      );
    });
  }, []);
}
