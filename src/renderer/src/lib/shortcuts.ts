// Single-key shortcuts that stay out of the way while typing; registered ones are listed by the `?` help.
import { useEffect, useRef, useSyncExternalStore } from 'react';

export interface Shortcut {
  key: string;
  label: string;
}

const active = new Map<symbol, Shortcut[]>();
const listeners = new Set<() => void>();
let snapshot: Shortcut[] = [];

function publish(): void {
  snapshot = [...active.values()].flat();
  for (const l of listeners) l();
}

export function useShortcutList(): Shortcut[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => snapshot,
  );
}

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  // Monaco may take keys through an element that is neither an input nor contenteditable (EditContext).
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) || t.closest('.monaco-editor') !== null;
}

/** Binds keys (e.key values) to handlers while the calling component is mounted. */
export function useShortcuts(map: Record<string, { label: string; run: () => void }>): void {
  const ref = useRef(map);
  ref.current = map;
  const signature = Object.entries(map).map(([k, v]) => `${k}:${v.label}`).join('|');
  useEffect(() => {
    const id = Symbol('shortcuts');
    active.set(id, Object.entries(ref.current).map(([key, v]) => ({ key, label: v.label })));
    publish();
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const s = ref.current[e.key];
      if (!s) return;
      e.preventDefault();
      s.run();
    };
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('keydown', onKey);
      active.delete(id);
      publish();
    };
  }, [signature]);
}
