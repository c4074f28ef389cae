// The frames the messaging layer puts on the wire: a resent or first-owed frame keeps every field
// of the original (built field by field for speed, so a forgotten field would be a silent loss).
import { describe, expect, it } from 'vitest';
import { asResend, makeFrame, withFirst } from '../client/messaging/frames.js';
import { checkFrame } from '../shared/frame.js';

describe('wire frames', () => {
  const text = makeFrame('b/room', 7, 'hello');
  const bin = makeFrame('u/', 3, new Uint8Array([1, 2, 3]));

  it('withFirst adds f (and x:1 for a resend) and keeps every other field', () => {
    expect(withFirst(text, 5, false)).toEqual({ t: 0, st: 'b/room', s: 7, f: 5, d: 'hello' });
    expect(withFirst(bin, 1, true)).toEqual({ t: 0, st: 'u/', s: 3, f: 1, x: 1, b: 1, d: new Uint8Array([1, 2, 3]) });
    expect(withFirst({ ...text, x: 1 }, 2, false).x).toBe(1);
    expect(text).toEqual({ t: 0, st: 'b/room', s: 7, d: 'hello' }); // the original is untouched
  });

  it('asResend marks x:1 and keeps s, f, b and the payload', () => {
    expect(asResend(withFirst(bin, 2, false))).toEqual({ t: 0, st: 'u/', s: 3, f: 2, x: 1, b: 1, d: new Uint8Array([1, 2, 3]) });
    expect(asResend(makeFrame('u/', undefined, 'unreliable'))).toEqual({ t: 0, st: 'u/', x: 1, d: 'unreliable' });
  });

  it('what they build passes the receiver\'s frame check', () => {
    for (const f of [withFirst(text, 5, true), asResend(bin), withFirst(bin, 3, false)]) expect(typeof checkFrame(f)).toBe('object');
  });
});
