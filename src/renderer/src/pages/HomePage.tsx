// Home: what this Loupe is running on (the wiring slice: renderer → API → main → TF.js).
import { useEffect, useState } from 'react';
import type { AppInfo } from '../../../shared/api/index.ts';
import { getClient } from '../api/client.ts';

export function HomePage(): React.JSX.Element {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getClient()
      .call('app.info', {})
      .then(setInfo, (e: Error) => setError(e.message));
  }, []);

  return (
    <section>
      <h1>Runs</h1>
      {error && <p className="error">Could not reach Loupe: {error}</p>}
      {info && <AppInfoPanel info={info} />}
    </section>
  );
}

export function AppInfoPanel({ info }: { info: AppInfo }): React.JSX.Element {
  return (
    <div className="panel" data-testid="app-info">
      <div>
        Loupe {info.version} · TF.js <span data-testid="tfjs-version">{info.tfjsVersion}</span> · Node {info.node} · {info.transport === 'ipc' ? 'desktop' : 'browser mode'}
      </div>
      <ul className="backends">
        {info.backends.map((b) => (
          <li key={b.name} className={b.available ? 'ok' : 'off'} data-testid={`backend-${b.name}`}>
            <strong>{b.name}</strong> {b.available ? 'available' : 'unavailable'} — {b.detail}
          </li>
        ))}
      </ul>
      <div className="muted">Data: {info.dataDir}</div>
    </div>
  );
}
