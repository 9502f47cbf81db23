// Electron shell: one secure window over the typed API (IPC), with the run services living here in main,
// so runs and alerts go on with no window open. Where Electron can't start, `npm start` uses browser mode.
import { app, BrowserWindow, Menu, ipcMain, screen, session, shell, type IpcMainInvokeEvent, type MenuItemConstructorOptions } from 'electron';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDispatcher } from './api/dispatcher.ts';
import { buildHandlers } from './api/handlers.ts';
import { ipcCallChannel, ipcEventChannel } from '../shared/api/ipc-channels.ts';
import type { UiCommand } from '../shared/api/app.ts';
import { loadWindowState, trackWindowState } from './window-state.ts';
import { resolveDataDir } from './paths.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const rendererUrl = process.env['ELECTRON_RENDERER_URL'];
const csp =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'";

const rendererFile = pathToFileURL(join(here, '../renderer/index.html')).href;

// LOUPE_HOME set but empty is refused (resolveDataDir throws) rather than quietly using the real app-data folder.
if (process.env['LOUPE_HOME'] !== undefined) app.setPath('userData', resolveDataDir());
// Every renderer sandboxed, whatever a later BrowserWindow forgets to say.
app.enableSandbox();

/** Our page and nothing else: the dev server's exact origin, or the built index.html (any #route). */
function isOurPage(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    if (rendererUrl) return u.origin === new URL(rendererUrl).origin;
    u.hash = '';
    u.search = '';
    return u.href === rendererFile;
  } catch {
    return false;
  }
}

// Applies to every web contents, including any a bug or a library might create: no webviews, no popups,
// no navigation away from our page (https links open in the system browser instead).
app.on('web-contents-created', (_e, contents) => {
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  const guard = (e: { preventDefault(): void }, url: string): void => {
    if (!isOurPage(url)) e.preventDefault();
  };
  contents.on('will-navigate', guard);
  contents.on('will-redirect', guard);
});

/** Drops a remembered position that no display shows any more (a monitor was unplugged). */
function onScreen(bounds: { x?: number; y?: number; width: number; height: number }): typeof bounds {
  const { x, y } = bounds;
  if (x === undefined || y === undefined) return bounds;
  const visible = screen.getAllDisplays().some(({ workArea: a }) => x + 40 < a.x + a.width && x + bounds.width - 40 > a.x && y >= a.y - 10 && y + 40 < a.y + a.height);
  return visible ? bounds : { width: bounds.width, height: bounds.height };
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
    // Only the top frame of our own window, showing our own page, may call the API.
    const frame = event.senderFrame;
    const ours = !!frame && frame.parent === null && !!win && !win.isDestroyed() && event.sender === win.webContents && isOurPage(frame.url);
    if (!ours) return { ok: false, error: { code: 'bad_request', message: 'Unknown sender' } };
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
      ...onScreen(state.bounds),
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
        nodeIntegrationInWorker: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        spellcheck: false,
      },
    });
    if (state.maximized) win.maximize();
    trackWindowState(win, dataDir);
    win.once('ready-to-show', () => win?.show());
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
