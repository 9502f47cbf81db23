// App-wide toasts (alerts that fire during a live run, failed actions), as a tiny external store.
import { useSyncExternalStore } from 'react';

export interface Toast {
  id: number;
  kind: 'info' | 'warning' | 'error';
  title: string;
  body?: string;
  href?: string;
}

let toasts: Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function publish(next: Toast[]): void {
  toasts = next;
  for (const l of listeners) l();
}

export function pushToast(t: Omit<Toast, 'id'>, ttlMs = 8000): void {
  const id = nextId++;
  publish([...toasts.slice(-4), { ...t, id }]);
  setTimeout(() => dismissToast(id), ttlMs);
}

export function dismissToast(id: number): void {
  publish(toasts.filter((t) => t.id !== id));
}

export function useToasts(): Toast[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => toasts,
  );
}
