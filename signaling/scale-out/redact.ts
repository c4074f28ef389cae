// Kept apart from the Redis clients so the CLI can print a URL without loading ioredis.

/** `redis://:secret@host` → `redis://:***@host`, for logs and the CLI banner. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid redis url)';
  }
}
