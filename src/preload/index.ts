// Preload: exposes the typed API as window.loupe over IPC. The renderer gets exactly LoupeClient, nothing of Node.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { LoupeClient } from '../shared/api/index.ts';
import { ipcCallChannel, ipcEventChannel } from '../shared/api/ipc-channels.ts';

type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

const client = {
  async call(name, params) {
    const reply = (await ipcRenderer.invoke(ipcCallChannel, name, params)) as Reply;
    if (!reply.ok) throw Object.assign(new Error(reply.error.message), { error: reply.error });
    return reply.result as never;
  },
  on(event, handler) {
    const listener = (_e: IpcRendererEvent, name: string, payload: unknown): void => {
      if (name === event) (handler as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(ipcEventChannel, listener);
    return () => {
      ipcRenderer.removeListener(ipcEventChannel, listener);
    };
  },
} satisfies LoupeClient;

contextBridge.exposeInMainWorld('loupe', client);
