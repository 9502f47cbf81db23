// Wire messages (WebSocket) parse with the shared schemas, non-finite numbers included.
import { describe, it, expect } from 'vitest';
import { WsServerMessage, WsClientMessage } from './wire.ts';

describe('WebSocket wire format', () => {
  it('parses replies, failures and events', () => {
    expect(WsServerMessage.parse({ type: 'reply', id: 1, ok: true, result: { a: 1 } })).toMatchObject({ ok: true });
    const failed = WsServerMessage.parse({ type: 'reply', id: 2, ok: false, error: { code: 'not_found', message: 'x' } });
    expect(failed).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(WsServerMessage.parse({ type: 'event', name: 'run.status', payload: {} })).toMatchObject({ type: 'event' });
  });
  it('rejects malformed client messages', () => {
    expect(WsClientMessage.safeParse({ type: 'call', id: 'x', name: 'app.info' }).success).toBe(false);
    expect(WsClientMessage.safeParse({ type: 'call', id: 1, name: 'app.info', params: {} }).success).toBe(true);
  });
});
