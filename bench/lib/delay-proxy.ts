// A TCP proxy that delays every chunk by a fixed time in each direction: a "distant server"
// on loopback. Order is preserved because every chunk gets the same delay and Node runs timers
// of equal duration in the order they were set. Plain TCP, so it carries socket.io's websocket.
import { createConnection, createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface DelayProxy {
  /** http://127.0.0.1:<port> — point clients here instead of at the target. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const pipeDelayed = (from: Socket, to: Socket): void => {
    from.on('data', (chunk) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delayMs);
    });
    // The end travels with the same delay, after the data before it.
    from.once('end', () => setTimeout(() => to.end(), delayMs));
    from.once('error', () => to.destroy());
    from.once('close', () => setTimeout(() => to.destroy(), delayMs + 1));
  };
  const server = createServer((client) => {
    client.setNoDelay(true);
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    upstream.setNoDelay(true);
    track(client);
    track(upstream);
    pipeDelayed(client, upstream);
    pipeDelayed(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
