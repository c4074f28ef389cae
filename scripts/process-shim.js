// Injected into the browser bundle (esbuild `inject`) so dependencies written for Node that touch
// the free global `process` (readable-stream@3 inside simple-peer calls process.nextTick) work
// without a Node runtime. Only the few fields those libraries read are provided.
export const process = {
  env: {},
  nextTick: (fn, ...args) => queueMicrotask(() => fn(...args)),
  browser: true,
  version: '',
  versions: {},
  platform: 'browser',
  argv: [],
  cwd: () => '/',
};
