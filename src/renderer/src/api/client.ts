// Picks the transport: Electron's preload bridge when present, else the browser-mode WebSocket.
// Pages use only the LoupeClient interface, so they never know which one they run on.
import type { LoupeClient } from '../../../shared/api/index.ts';
import { createWsClient } from './ws-client.ts';

declare global {
  interface Window {
    loupe?: LoupeClient;
  }
}

let client: LoupeClient | null = null;

export function getClient(): LoupeClient {
  if (!client) client = window.loupe ?? createWsClient(wsUrl());
  return client;
}

function wsUrl(): string {
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${location.host}/api/ws`;
}
