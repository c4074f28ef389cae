// The ioredis connections of one signaling process, with the failure behaviour each needs:
//
// - store and publish clients fail fast: no offline queue and a command timeout, so while Redis is
//   down a handler gets an error at once (and replies an error code) instead of hanging, and a
//   relayed frame that could not be published is never acknowledged;
// - the adapter's stream readers and subscriber (made by `duplicate()`) wait for Redis instead
//   (offline queue, unlimited retries): an error there would only make the adapter poll again in
//   a tight loop, while a waiting XREAD resumes from its stream offset once Redis is back.
//
// All reconnect quickly (100 ms steps, at most 1 s apart) and every client has an 'error'
// listener, so Redis going away is logged once and never crashes the process.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { redactRedisUrl } from './redact.js';

/** The longest wait between two reconnect attempts: another process may see Redis back this much later. */
export const RECONNECT_DELAY_CAP_MS = 1000;
const retryStrategy = (times: number): number => Math.min(times * 100, RECONNECT_DELAY_CAP_MS);
/**
 * ioredis keeps a timer this long when it ends a connection whose socket is already gone (one
 * that failed while Redis was down): short, so a closed server does not hold its process open.
 */
const DISCONNECT_TIMEOUT_MS = 100;
/** How long close() lets a client QUIT politely before cutting its connection. */
const QUIT_GRACE_MS = 500;

export interface RedisClients {
  /** RedisStore and the cluster lock. */
  store: Redis;
  /** Given to the adapter: publishes; its duplicates read the stream and subscribe. */
  pub: Redis;
  close(): Promise<void>;
}

function watch(client: Redis, name: string, url: string, log: Logger): void {
  let lost = false;
  client.on('error', (err: Error) => {
    if (lost) return;
    lost = true;
    log.warn({ redis: redactRedisUrl(url), client: name, err: err.message }, 'redis connection lost; retrying');
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    log.info({ redis: redactRedisUrl(url), client: name }, 'redis connection restored');
  });
}

/** Resolves once the client is ready; rejects on its first error (a wrong URL fails at start). */
function ready(client: Redis, url: string): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      client.off('error', onError);
      resolve();
    };
    const onError = (err: Error): void => {
      client.off('ready', onReady);
      reject(new Error(`cannot reach Redis at ${redactRedisUrl(url)}: ${err.message}`));
    };
    client.once('ready', onReady);
    client.once('error', onError);
  });
}

async function shut(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.quit().catch(() => undefined),
    new Promise<void>((r) => {
      timer = setTimeout(r, QUIT_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
  // After a clean QUIT the connection is over; disconnect() then would only leave a timer behind.
  if ((client.status as string) !== 'end') client.disconnect();
}

export async function connectRedis(url: string, opts: { commandTimeoutMs: number; log: Logger }): Promise<RedisClients> {
  const failFast: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: opts.commandTimeoutMs,
    retryStrategy,
  };
  const waiting: RedisOptions = { maxRetriesPerRequest: null, retryStrategy };
  const all = new Set<Redis>();
  const readers = new Set<Redis>();
  const make = (name: string, options: RedisOptions): Redis => {
    const client = new Redis(url, { ...options, connectionName: `rtsmesh-${name}`, disconnectTimeout: DISCONNECT_TIMEOUT_MS });
    all.add(client);
    watch(client, name, url, opts.log);
    return client;
  };

  const store = make('store', failFast);
  const pub = make('pub', failFast);
  // The adapter calls duplicate() for its stream readers and its subscriber; they get their own
  // options, and are tracked so close() ends them at once (an XREAD may block for seconds).
  pub.duplicate = () => {
    const reader = make('adapter', waiting);
    readers.add(reader);
    return reader;
  };

  const close = async (): Promise<void> => {
    // The adapter's poll loop reads again at once after a failed XREAD and only stops once the
    // adapter is closed (io.close()). Should a reader end first, its XREAD must not fail
    // instantly forever (a loop that would block the event loop), so it never answers instead.
    // Readers may sit in a blocking XREAD: cut them rather than wait for a polite QUIT.
    for (const reader of readers) {
      reader.xread = (() => new Promise(() => undefined)) as Redis['xread'];
      reader.disconnect();
    }
    await Promise.all([...all].filter((c) => !readers.has(c)).map(shut));
  };
  try {
    await Promise.all([ready(store, url), ready(pub, url)]);
  } catch (e) {
    await close();
    throw e;
  }
  return { store, pub, close };
}
