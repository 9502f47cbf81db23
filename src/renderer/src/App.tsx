// App shell: navigation, theme, and the page the route names.
import { useEffect, useState } from 'react';
import { useRoute, navigate } from './router.ts';
import { HomePage } from './pages/HomePage.tsx';

type Theme = 'dark' | 'light';

export function App(): React.JSX.Element {
  const route = useRoute();
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem('loupe.theme') as Theme | null) ?? 'dark');
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('loupe.theme', theme);
  }, [theme]);

  return (
    <div className="app">
      <header className="topbar">
        <a className="brand" href="#/" onClick={() => navigate({ page: 'home' })}>
          Loupe
        </a>
        <nav>
          <a href="#/">Runs</a>
          <a href="#/editor">Config</a>
          <a href="#/compare">Compare</a>
          <a href="#/playground">Playground</a>
        </nav>
        <button className="ghost" title="Toggle theme" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}>
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
      </header>
      <main className="page">{route.page === 'home' ? <HomePage /> : <p className="empty">This page is coming soon.</p>}</main>
    </div>
  );
}
