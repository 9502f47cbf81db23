// Theme state (dark/light) shared by the shell and the charts, which read their colours from the CSS tokens.
import { createContext, useContext } from 'react';
import type { ChartTheme } from '../charts/chart-panel.ts';

export type ThemeName = 'dark' | 'light';
export const ThemeContext = createContext<ThemeName>('dark');
export function useThemeName(): ThemeName {
  return useContext(ThemeContext);
}

export function readChartTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return { text: v('--text', '#e6e8ee'), muted: v('--muted', '#8b93a7'), border: v('--border', '#2a2f3a'), panel: v('--panel', '#171a21') };
}

export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}
