// A tiny hash router: the URL fragment names the page, so reloads and the back button keep working in both transports.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'home' }
  | { page: 'run'; runId: string }
  | { page: 'editor'; baselineId: string | null }
  | { page: 'compare'; ids: string[] }
  | { page: 'playground'; runId: string | null };

function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'run':
      return parts[1] ? { page: 'run', runId: parts[1] } : { page: 'home' };
    case 'editor':
      return { page: 'editor', baselineId: parts[1] ?? null };
    case 'compare':
      return { page: 'compare', ids: (parts[1] ?? '').split(',').filter(Boolean) };
    case 'playground':
      return { page: 'playground', runId: parts[1] ?? null };
    default:
      return { page: 'home' };
  }
}

function routeHash(r: Route): string {
  switch (r.page) {
    case 'home':
      return '#/';
    case 'run':
      return `#/run/${encodeURIComponent(r.runId)}`;
    case 'editor':
      return r.baselineId ? `#/editor/${encodeURIComponent(r.baselineId)}` : '#/editor';
    case 'compare':
      return `#/compare/${r.ids.map(encodeURIComponent).join(',')}`;
    case 'playground':
      return r.runId ? `#/playground/${encodeURIComponent(r.runId)}` : '#/playground';
  }
}

export function navigate(r: Route): void {
  location.hash = routeHash(r);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
