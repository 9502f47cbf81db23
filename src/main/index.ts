// Electron shell: one secure window over the typed API (IPC), with the run services living here in main,
// so runs and alerts go on with no window open. Where Electron can't start, `npm start` uses browser mode.
import { app, BrowserWindow, Menu, ipcMain, session, shell, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDispatcher } from './api/dispatcher.ts';
import { buildHandlers } from './api/handlers.ts';
import { ipcCallChannel, ipcEventChannel } from '../shared/api/ipc-channels.ts';
import type { UiCommand } from '../shared/api/app.ts';
import { loadWindowState, trackWindowState } from './window-state.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererUrl = process.env['ELECTRON_RENDERER_URL'];
const csp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'";

if (process.env['LOUPE_HOME']) app.setPath('userData', process.env['LOUPE_HOME']);

function isOurFrame(url: string | undefined): boolean {
  if (!url) return false;
  if (rendererUrl && url.startsWith(rendererUrl)) return true;
  return url.startsWith('file://') && url.includes('/out/renderer/');
}

async function main(): Promise<void> {
  await app.whenReady();
  const dataDir = app.getPath('userData');
  const backend = await buildHandlers({ transport: 'ipc', dataDir });
  const dispatcher = createDispatcher(backend.handlers, (e) => console.error(e));
  let win: BrowserWindow | null = null;

  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  ipcMain.handle(ipcCallChannel, (event: IpcMainInvokeEvent, name: unknown, params: unknown) => {
    if (!isOurFrame(event.senderFrame?.url)) return { ok: false, error: { code: 'bad_request', message: 'Unknown sender' } };
    return dispatcher.dispatch(String(name), params);
  });
  const send = (name: string, payload: unknown): void => {
    if (win && !win.isDestroyed()) win.webContents.send(ipcEventChannel, name, payload);
  };
  backend.subscribe?.(send);
  const command = (c: UiCommand): void => send('app.command', { command: c });

  const createWindow = (): void => {
    const state = loadWindowState(dataDir);
    win = new BrowserWindow({
      ...state.bounds,
      minWidth: 900,
      minHeight: 600,
      title: 'Loupe',
      backgroundColor: '#0f1115',
      show: false,
      webPreferences: {
        preload: join(here, '../preload/index.js'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
      },
    });
    if (state.maximized) win.maximize();
    trackWindowState(win, dataDir);
    win.once('ready-to-show', () => win?.show());
    win.webContents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https://')) void shell.openExternal(url);
      return { action: 'deny' };
    });
    win.webContents.on('will-navigate', (e, url) => {
      if (!isOurFrame(url)) e.preventDefault();
    });
    if (rendererUrl) void win.loadURL(rendererUrl);
    else void win.loadFile(join(here, '../renderer/index.html'));
  };

  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'Run',
      submenu: [
        { label: 'Run baseline', accelerator: 'CmdOrCtrl+Shift+B', click: () => command('run-baseline') },
        { label: 'New run from baseline…', accelerator: 'CmdOrCtrl+N', click: () => command('new-run') },
        { type: 'separator' },
        { label: 'Runs', accelerator: 'CmdOrCtrl+1', click: () => command('runs') },
        { label: 'Compare', accelerator: 'CmdOrCtrl+2', click: () => command('compare') },
        { label: 'Playground', accelerator: 'CmdOrCtrl+3', click: () => command('playground') },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Toggle theme', accelerator: 'CmdOrCtrl+Shift+T', click: () => command('toggle-theme') },
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  createWindow();

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  // Runs keep training with no window open on macOS; elsewhere closing the last window quits.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => void backend.close());
}

void main();
