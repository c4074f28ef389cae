// Shared test helper: a real signaling server on 127.0.0.1 (port 0) with one test app, tokens
// for it, and raw socket.io clients (websocket only, like the SDK). Everything it starts is
// closed by close() — call it in afterEach/afterAll.
import { createServer, type RequestListener, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { io as connectClient, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, LoginReply, ServerToClientEvents } from '../../shared/protocol.js';
import { socketParser } from '../../shared/socket-parser.js';
import { createToken, type CreateTokenOptions } from '../../shared/token.js';
import { createSignalingServer, type SignalingServer, type SignalingServerOptions } from '../../signaling/index.js';

export const TEST_APP_ID = 'rtsmeshtestapp0000000000';
export const TEST_APP_KEY = 'rtsmesh-test-key';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LoggedIn {
  socket: ClientSocket;
  reply: LoginReply;
  uid: string;
  sessionId: string;
}

export interface TestServer {
  server: SignalingServer;
  url: string;
  appId: string;
  appKey: string;
  /** A login token for uid (options override the defaults, e.g. expireAt, roomId). */
  token(uid: string, opts?: Partial<CreateTokenOptions>): string;
  /** A connected raw socket.io client (no automatic reconnection). */
  connect(): Promise<ClientSocket>;
  /** Connects (unless a socket is given) and logs in; fails the test unless the login succeeds. */
  login(uid: string, opts?: { sessionId?: string; socket?: ClientSocket; token?: string }): Promise<LoggedIn>;
  /** Logs each uid in on its own socket and joins it to roomId, in order, with extraInfo `<uid>-info`. */
  inRoom(roomId: string, ...uids: string[]): Promise<ClientSocket[]>;
  /** Closes every client this helper opened, then the server. */
  close(): Promise<void>;
}

/** A raw socket.io client of the signaling server at url (websocket only and its parser, like the SDK; no reconnection), sending `headers` with its handshake. */
export function openSocket(url: string, headers?: Record<string, string>): ClientSocket {
  return connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false, parser: socketParser, ...(headers ? { extraHeaders: headers } : {}) });
}

export async function startTestServer(opts: Partial<SignalingServerOptions> = {}): Promise<TestServer> {
  const server = await createSignalingServer({
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    apps: [{ appId: TEST_APP_ID, appKey: TEST_APP_KEY }],
    ...opts,
  });
  const sockets = new Set<ClientSocket>();
  const token = (uid: string, o: Partial<CreateTokenOptions> = {}): string =>
    createToken({ appId: TEST_APP_ID, appKey: TEST_APP_KEY, userId: uid, ...o });

  const connect = async (): Promise<ClientSocket> => {
    const socket = openSocket(server.url);
    sockets.add(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return socket;
  };

  const login = async (uid: string, o: { sessionId?: string; socket?: ClientSocket; token?: string } = {}): Promise<LoggedIn> => {
    const socket = o.socket ?? (await connect());
    const sessionId = o.sessionId ?? randomUUID();
    const reply = await request<LoginReply>(socket, 'login', { appId: TEST_APP_ID, uid, token: o.token ?? token(uid), sessionId });
    if (reply.code !== 0) throw new Error(`login of ${uid} failed with ${JSON.stringify(reply)}`);
    return { socket, reply, uid, sessionId };
  };

  const inRoom = async (roomId: string, ...uids: string[]): Promise<ClientSocket[]> => {
    const joined: ClientSocket[] = [];
    for (const uid of uids) {
      const { socket } = await login(uid);
      await request(socket, 'room:join', { roomId, extraInfo: `${uid}-info` });
      joined.push(socket);
    }
    return joined;
  };

  return {
    server,
    url: server.url,
    appId: TEST_APP_ID,
    appKey: TEST_APP_KEY,
    token,
    connect,
    login,
    inRoom,
    async close() {
      for (const s of sockets) s.disconnect();
      sockets.clear();
      await server.close();
    },
  };
}

/** Emits with an ack and resolves with the reply (rejects after timeoutMs). Untyped on purpose: tests send bad payloads too. */
/** Runs `fn` against a fresh test server, closed afterwards whatever happens. */
export async function withServer(opts: Partial<SignalingServerOptions>, fn: (t: TestServer) => Promise<void>): Promise<void> {
  const t = await startTestServer(opts);
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

export function request<R = { code: number }>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<R> {
  const loose = socket as unknown as { timeout(ms: number): { emitWithAck(ev: string, ...a: unknown[]): Promise<R> } };
  return loose.timeout(5000).emitWithAck(event, ...args);
}

/** Resolves with the next `event` payload that passes `predicate`. */
export function nextEvent<T = unknown>(socket: ClientSocket, event: string, predicate: (ev: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  const loose = socket as unknown as { on(ev: string, fn: (p: T) => void): void; off(ev: string, fn: (p: T) => void): void };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      loose.off(event, fn);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const fn = (p: T): void => {
      if (!predicate(p)) return;
      clearTimeout(timer);
      loose.off(event, fn);
      resolve(p);
    };
    loose.on(event, fn);
  });
}

/** Records every `event` payload from now on. */
export function collect<T = unknown>(socket: ClientSocket, event: string): T[] {
  const seen: T[] = [];
  (socket as unknown as { on(ev: string, fn: (p: T) => void): void }).on(event, (p) => seen.push(p));
  return seen;
}

export { sleep, waitFor } from './wait.js';

/** A port nothing listens on: listened on, then closed. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Starts a plain HTTP server on 127.0.0.1:0 for app-server tests; close() cuts open connections. */
export async function startHttpServer(handler: RequestListener): Promise<{ url: string; server: HttpServer; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
