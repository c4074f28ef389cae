// Raw socket.io clients of raw-relay-server.ts (websocket transport, one connection each).
import { io, type Socket } from 'socket.io-client';
import type { Scope } from './scope.js';

export async function rawClient(url: string, uid: string, scope: Scope): Promise<Socket> {
  const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  scope.add(() => s.disconnect());
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(new Error(`raw client ${uid}: ${e.message}`)));
  });
  await s.emitWithAck('hello', uid);
  return s;
}
