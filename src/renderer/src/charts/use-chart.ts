// One ECharts instance per element for a component's lifetime, resized with its box and disposed on unmount.
import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';

export function useChart(el: React.RefObject<HTMLDivElement | null>): React.RefObject<echarts.ECharts | null> {
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { renderer: 'canvas' });
    chart.current = c;
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, [el]);
  return chart;
}
