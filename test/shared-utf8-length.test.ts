// payloadBytes counts text in UTF-8 without encoding it; the count must be TextEncoder's to the
// byte (the client refuses, the server charges and both count by it).
import { describe, expect, it } from 'vitest';
import { payloadBytes, utf8Length } from '../shared/limits.js';

const encoder = new TextEncoder();

describe('utf8Length', () => {
  it('equals TextEncoder for ASCII, 2-, 3- and 4-byte characters and lone surrogates', () => {
    const cases = ['', 'a', 'hello world', 'é', 'ß€', '日本語', '😀', 'a😀b', '\ud800', '\udc00', 'x\ud800y', '\ud800\ud800\udc00', '\udbff', 'end\ud83d', '\u07ff\u0800\uffff'];
    for (const s of cases) expect(utf8Length(s), JSON.stringify(s)).toBe(encoder.encode(s).length);
  });

  it('equals TextEncoder on random strings over the whole UTF-16 range', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 2000; k++) {
      const units = Array.from({ length: Math.floor(rnd() * 40) }, () => {
        const r = rnd();
        return r < 0.4 ? Math.floor(rnd() * 0x80) : r < 0.6 ? Math.floor(rnd() * 0x800) : r < 0.8 ? 0xd800 + Math.floor(rnd() * 0x800) : Math.floor(rnd() * 0x10000);
      });
      const s = String.fromCharCode(...units);
      expect(utf8Length(s)).toBe(encoder.encode(s).length);
    }
  });

  it('binary payloads count their bytes', () => {
    expect(payloadBytes(new Uint8Array(17))).toBe(17);
    expect(payloadBytes('€')).toBe(3);
  });
});
