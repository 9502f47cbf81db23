// App shell: navigation, theme, global shortcuts, native-menu commands, toasts, and the page the route names.
import { useEffect, useLayoutEffect, useState } from 'react';
import type { UiCommand } from '../../shared/api/index.ts';
import { getClient } from './api/client.ts';
import { useRoute, navigate, type Route } from './router.ts';
import { HomePage } from './pages/HomePage.tsx';
import { RunPage } from './pages/RunPage.tsx';
import { PlaygroundPage } from './pages/PlaygroundPage.tsx';
import { EditorPage } from './pages/EditorPage.tsx';
import { ComparePage } from './pages/ComparePage.tsx';
import { runBaseline } from './lib/actions.ts';
import { useShortcuts, useShortcutList } from './lib/shortcuts.ts';
import { ThemeContext, type ThemeName } from './lib/theme.ts';
import { dismissToast, useToasts } from './lib/toasts.ts';
import { useAlertToasts } from './components/AlertsToasts.tsx';

function initialTheme(): ThemeName {
  const saved = localStorage.getItem('loupe.theme');
  if (saved === 'dark' || saved === 'light') return saved;
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

export function App(): React.JSX.Element {
  const route = useRoute();
  const [theme, setTheme] = useState<ThemeName>(initialTheme);
  const [help, setHelp] = useState(false);
  const toggleTheme = (): void => setTheme((t) => (t === 'dark' ? 'light' : 'dark'));

  // Layout effect: the tokens must be switched before the charts' effects read them.
  useLayoutEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('loupe.theme', theme);
  }, [theme]);

  // The native menu (desktop) sends commands; browser mode simply never does.
  useEffect(() => {
    const c = getClient();
    const run = (command: UiCommand): void => {
      switch (command) {
        case 'run-baseline':
          void runBaseline();
          break;
        case 'new-run':
          navigate({ page: 'editor', baselineId: null });
          break;
        case 'runs':
          navigate({ page: 'home' });
          break;
        case 'compare':
          navigate({ page: 'compare', ids: [] });
          break;
        case 'playground':
          navigate({ page: 'playground', runId: null });
          break;
        case 'toggle-theme':
          toggleTheme();
          break;
      }
    };
    const offCommand = c.on('app.command', ({ command }) => run(command));
    return () => {
      offCommand();
    };
  }, []);
  useAlertToasts();

  useShortcuts({
    '?': { label: 'Show keyboard shortcuts', run: () => setHelp((h) => !h) },
    h: { label: 'Runs', run: () => navigate({ page: 'home' }) },
    n: { label: 'New run (config editor)', run: () => navigate({ page: 'editor', baselineId: null }) },
    c: { label: 'Compare', run: () => navigate({ page: 'compare', ids: [] }) },
    p: { label: 'Playground', run: () => navigate({ page: 'playground', runId: null }) },
    t: { label: 'Toggle dark / light theme', run: toggleTheme },
    Escape: { label: 'Close this help', run: () => setHelp(false) },
  });

  return (
    <ThemeContext value={theme}>
      <div className="app">
        <header className="topbar">
          <a className="brand" href="#/">
            <span className="logo">◉</span> Loupe
          </a>
          <nav>
            <NavLink route={route} to={{ page: 'home' }} label="Runs" match={['home', 'run']} />
            <NavLink route={route} to={{ page: 'editor', baselineId: null }} label="Config" match={['editor']} />
            <NavLink route={route} to={{ page: 'compare', ids: [] }} label="Compare" match={['compare']} />
            <NavLink route={route} to={{ page: 'playground', runId: null }} label="Playground" match={['playground']} />
          </nav>
          <button className="ghost small" title="Keyboard shortcuts (?)" onClick={() => setHelp(true)}>?</button>
          <button className="ghost small" title="Toggle theme (t)" onClick={toggleTheme} data-testid="toggle-theme">
            {theme === 'dark' ? '☀ Light' : '☾ Dark'}
          </button>
        </header>
        <main className="page">
          <Page route={route} />
        </main>
        {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
        <Toasts />
      </div>
    </ThemeContext>
  );
}

function Page({ route }: { route: Route }): React.JSX.Element {
  switch (route.page) {
    case 'home':
      return <HomePage />;
    case 'run':
      return <RunPage key={route.runId} runId={route.runId} />;
    case 'playground':
      return <PlaygroundPage key={route.runId ?? ''} runId={route.runId} />;
    case 'editor':
      return <EditorPage baselineId={route.baselineId} />;
    case 'compare':
      return <ComparePage ids={route.ids} />;
    default:
      return (
        <div className="empty-state">
          <h2>Not here yet</h2>
          <p>This page is being built. Meanwhile, start from the <a href="#/">runs</a>.</p>
        </div>
      );
  }
}

function NavLink({ route, to, label, match }: { route: Route; to: Route; label: string; match: Route['page'][] }): React.JSX.Element {
  const active = match.includes(route.page);
  return (
    <a href="#" className={active ? 'active' : undefined} onClick={(e) => { e.preventDefault(); navigate(to); }}>
      {label}
    </a>
  );
}

function ShortcutsHelp({ onClose }: { onClose: () => void }): React.JSX.Element {
  const list = useShortcutList().filter((s) => s.key !== 'Escape');
  return (
    <div className="modal-backdrop" onClick={onClose}>
      <div className="modal" role="dialog" aria-label="Keyboard shortcuts" onClick={(e) => e.stopPropagation()} data-testid="shortcuts-help">
        <h2>Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {list.map((s) => (
              <tr key={s.key + s.label}>
                <td><kbd>{s.key}</kbd></td>
                <td>{s.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="muted small">Shortcuts are off while typing in a field. Esc closes.</div>
      </div>
    </div>
  );
}

function Toasts(): React.JSX.Element {
  const toasts = useToasts();
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.kind}`} role="status">
          <div className="toast-title">
            {t.href ? <a href={t.href}>{t.title}</a> : t.title}
            <button className="x" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>×</button>
          </div>
          {t.body && <div className="toast-body">{t.body}</div>}
        </div>
      ))}
    </div>
  );
}
