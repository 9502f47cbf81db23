// IPC channel names shared by preload and main.
export const ipcCallChannel = 'loupe:call';
export const ipcEventChannel = 'loupe:event';
