// The README's example, run exactly as written (its code block copied to a file inside the
// package, so `rtsmesh/client` resolves to this package) against `npm start`'s server: the real
// CLI in --dev mode, on a port picked at run time and handed over in RTSMESH_SERVER.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startProcess, stopAllProcesses } from './helpers/processes.js';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Example'), readme.indexOf('## API'));
const block = (lang: string): string => {
  const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
  if (!m) throw new Error(`README ## Example has no ${lang} block`);
  return m[1];
};
const exampleFile = join(root, `.readme-example-${process.pid}.mts`);

afterAll(async () => {
  rmSync(exampleFile, { force: true });
  await stopAllProcesses();
});

describe('the README example', () => {
  it('compiles strictly and runs as written against the dev server and prints what the README says', async () => {
    const port = await freePort();
    await startProcess(process.execPath, [join(root, 'bin/rtsmesh-signaling.js'), '--dev', '--port', String(port), '--host', '127.0.0.1', '--log-level', 'silent'], {
      readyLine: /rtsmesh signaling listening on/,
    });
    writeFileSync(exampleFile, block('ts'));
    // It compiles under strict TypeScript against the package's own types…
    await promisify(execFile)(process.execPath, [
      join(root, 'node_modules/typescript/bin/tsc'), '--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck',
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', exampleFile,
    ], { cwd: root });
    // …and runs.
    const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), exampleFile], {
      cwd: root,
      env: { ...process.env, RTSMESH_SERVER: `http://127.0.0.1:${port}` },
      timeout: 60_000,
    });
    expect(stdout.trim()).toBe(block('text').trim());
  }, 90_000);
});
