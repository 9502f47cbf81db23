// A group of linked chart panels over a component's elements: created on mount, resized with their boxes (once a
// frame), disposed on unmount. `panels.current` holds them in the order of `els`.
import { useEffect, useRef } from 'react';
import { ChartPanel } from './chart-panel.ts';

export function useChartPanels(group: string, els: React.RefObject<HTMLDivElement | null>[]): React.RefObject<ChartPanel[]> {
  const panels = useRef<ChartPanel[]>([]);
  useEffect(() => {
    const present = els.map((r) => r.current).filter((e): e is HTMLDivElement => e !== null);
    const created = present.map((el) => new ChartPanel(el, group));
    panels.current = created;
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => created.forEach((c) => c.resize()));
    });
    present.forEach((el) => ro.observe(el));
    return () => {
      ro.disconnect();
      cancelAnimationFrame(frame);
      created.forEach((c) => c.dispose());
      panels.current = [];
    };
    // The refs are stable for the component's life: the panels follow the group only.
  }, [group]);
  return panels;
}
