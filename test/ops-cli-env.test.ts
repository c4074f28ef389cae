// Issue 10, configuration: every flag of rtsmesh-signaling has an environment variable, both are
// in --help, a variable is honoured when the flag is absent, and a bad value names the variable.
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { FLAGS } from '../signaling/cli/server-flags.js';
import { startProcess, stopAllProcesses } from './helpers/processes.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'rtsmesh-signaling.js');
const APP = { RTSMESH_APP_ID: 'envtestapp00000000000000', RTSMESH_APP_KEY: 'env-test-key' };

afterAll(() => stopAllProcesses());

describe('rtsmesh-signaling configuration', () => {
  it('--help lists every flag with its environment variable', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help']);
    for (const spec of Object.values(FLAGS)) {
      const long = /--[a-z-]+/.exec(spec.flags)![0];
      expect(stdout, long).toContain(long);
      expect(stdout, spec.env).toContain(`env ${spec.env}`);
    }
  });

  it('takes the hardening settings from the environment', async () => {
    const { proc, match } = await startProcess(process.execPath, [bin], {
      readyLine: /metrics: (http:\/\/\S+)\/metrics/,
      env: {
        ...APP, RTSMESH_PORT: '0', RTSMESH_HOST: '127.0.0.1', RTSMESH_LOG_LEVEL: 'silent',
        RTSMESH_METRICS_PORT: '0', RTSMESH_METRICS_TOKEN: 'env-metrics-token', RTSMESH_REST_RATE: '3',
      },
    });
    const url = /listening on (http:\/\/\S+)/.exec(proc.output())![1];
    const metricsUrl = match[1];
    expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(401);
    expect((await fetch(`${metricsUrl}/metrics`, { headers: { authorization: 'Bearer env-metrics-token' } })).status).toBe(200);
    const statuses = await Promise.all(Array.from({ length: 10 }, () =>
      fetch(`${url}/api/v1/users/a/status`, { headers: { authorization: `Bearer ${APP.RTSMESH_APP_KEY}` } }).then((r) => r.status)));
    expect(statuses).toContain(429);
    process.kill(proc.pid, 'SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });

  it('a bad value in a variable names the variable', async () => {
    await expect(run(process.execPath, [bin], { env: { ...process.env, ...APP, RTSMESH_PORT: '0', RTSMESH_DRAIN_MS: 'soon' } }))
      .rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('RTSMESH_DRAIN_MS') });
  });
});
