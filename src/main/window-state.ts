// Remembers the window's size, position and maximised state between launches.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserWindow } from 'electron';

export interface WindowState {
  bounds: { width: number; height: number; x?: number; y?: number };
  maximized: boolean;
}

const fallback: WindowState = { bounds: { width: 1400, height: 900 }, maximized: false };

export function loadWindowState(dataDir: string): WindowState {
  try {
    const s = JSON.parse(readFileSync(join(dataDir, 'window-state.json'), 'utf8')) as Partial<WindowState>;
    const b = s.bounds;
    if (!b || !(b.width >= 400 && b.height >= 300)) return fallback;
    return { bounds: { width: b.width, height: b.height, x: b.x, y: b.y }, maximized: s.maximized === true };
  } catch {
    return fallback;
  }
}

export function trackWindowState(win: BrowserWindow, dataDir: string): void {
  let timer: NodeJS.Timeout | null = null;
  const save = (): void => {
    if (win.isDestroyed()) return;
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'window-state.json'), JSON.stringify(state));
  };
  const later = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', save);
}
