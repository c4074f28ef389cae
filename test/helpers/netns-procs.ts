// Processes of the network-namespace tests: a fixture script run with tsx inside a namespace,
// and the JSON event lines the fixtures print ({"ev": ..., ...}).
import { fileURLToPath } from 'node:url';
import { spawnProcess, type SpawnedProcess } from './processes.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));

/** `node --import tsx helpers/<script>` inside namespace `ns`; added to `children` (the test stops them). */
export function inNamespace(
  children: SpawnedProcess[], ns: string, name: string, script: string, args: string[], env: Record<string, string> = {},
): SpawnedProcess {
  const child = spawnProcess('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', fixture(script), ...args], { name, env });
  children.push(child);
  return child;
}

/** Every JSON event line `ev` a fixture printed so far. */
export function events<T = Record<string, unknown>>(p: SpawnedProcess, ev: string): Array<T & { ev: string }> {
  return p.output().split('\n').filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as T & { ev: string })
    .filter((o) => o.ev === ev);
}

/** The first JSON event line `ev` from a fixture (already printed or future). */
export async function event<T = Record<string, unknown>>(p: SpawnedProcess, ev: string, pred: (o: T) => boolean = () => true, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (Date.now() >= deadline) throw new Error(`${p.name}: no ${ev} event within ${timeoutMs} ms; output:\n${p.output().slice(-3000)}`);
    const found = events<T>(p, ev).find(pred);
    if (found) return found;
    if (p.hasExited()) throw new Error(`${p.name} exited; output:\n${p.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
