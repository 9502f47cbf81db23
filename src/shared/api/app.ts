// App-level requests: who is answering, and on which TF.js backends training can run.
import { z } from 'zod';
import { request } from './define.ts';

export const BackendAvailability = z.object({
  name: z.string(),
  available: z.boolean(),
  /** Why it is unavailable, or what it runs on. */
  detail: z.string(),
  /** The device found (WebGPU: the adapter), where the backend has one. */
  adapter: z.string().optional(),
});
export type BackendAvailability = z.infer<typeof BackendAvailability>;

export const AppInfo = z.object({
  name: z.literal('Loupe'),
  version: z.string(),
  transport: z.enum(['ipc', 'http']),
  node: z.string(),
  platform: z.string(),
  tfjsVersion: z.string(),
  backends: z.array(BackendAvailability),
  dataDir: z.string(),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const appRequests = {
  'app.info': request(z.object({}).strict(), AppInfo),
};

/** Commands from the native menu (desktop) that the renderer carries out. */
export const UiCommand = z.enum(['run-baseline', 'new-run', 'runs', 'compare', 'playground', 'toggle-theme']);
export type UiCommand = z.infer<typeof UiCommand>;

export const appEvents = {
  'app.command': z.object({ command: UiCommand }),
};
