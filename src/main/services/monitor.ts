// Finds the alert monitor (src/main/monitor, issue 6). Until it is present, runs train without alerts.
import type { MonitorFactory } from '../scheduler/monitor-hook.ts';

export async function loadMonitorFactory(): Promise<MonitorFactory | null> {
  // HOOK(monitor): replace with a static import of createRunMonitor once src/main/monitor lands.
  const spec = '../monitor/index.ts';
  try {
    const mod = (await import(/* @vite-ignore */ spec)) as { createRunMonitor?: MonitorFactory };
    return typeof mod.createRunMonitor === 'function' ? mod.createRunMonitor : null;
  } catch {
    return null;
  }
}
