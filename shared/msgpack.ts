// The MessagePack codec of the data frames, in Node and in browsers. It covers exactly what the
// frames hold — nil, booleans, numbers, strings, binary, arrays, string-keyed maps, and
// msgpackr's encoding of `undefined` (fixext 1, type 0) — and reads and writes what msgpackr
// (used here before, configured useRecords: false, moreTypes: false, int64AsType: 'number') does,
// so peers of either kind understand each other. Why not msgpackr: it is 31 KiB of the browser
// bundle, compiles record readers with `new Function` (refused under a strict CSP), and pulls a
// native module (msgpackr-extract) into every install, browser apps included; on frame-sized
// values this codec is about as fast. Anything else is refused with an Error; lengths are checked
// against the input before anything is read, so a hostile header allocates nothing.

const utf8In = new TextDecoder();
const utf8Out = new TextEncoder();

/** The encoder's output buffer; packViewWith lets a caller that knows its value's shape write it. */
export class Writer {
  buf = new Uint8Array(8192);
  view = new DataView(this.buf.buffer);
  pos = 0;

  /** Reserves n bytes and returns where they start (buf and view may be replaced: read them after). */
  room(n: number): number {
    if (this.pos + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
      next.set(this.buf);
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  one(b: number): void {
    const at = this.room(1);
    this.buf[at] = b;
  }

  /** `tag` then an unsigned integer of `size` bytes (1, 2, 4 or 8). */
  head(tag: number, size: number, n: number): void {
    const at = this.room(1 + size);
    this.buf[at] = tag;
    if (size === 1) this.buf[at + 1] = n;
    else if (size === 2) this.view.setUint16(at + 1, n);
    else if (size === 4) this.view.setUint32(at + 1, n);
    else this.view.setUint32(at + 1, Math.floor(n / 2 ** 32)), this.view.setUint32(at + 5, n >>> 0);
  }

  /** A length of 8, 16 or 32 bits after `tag`, `tag + 1` or `tag + 2` (str, bin). */
  sized(tag: number, n: number): void {
    if (n < 0x100) this.head(tag, 1, n);
    else if (n < 0x10000) this.head(tag + 1, 2, n);
    else this.head(tag + 2, 4, n);
  }

  /** The fix form below 16 (maps, arrays), else 16 or 32 bits after `tag` / `tag + 1`. */
  count(fix: number, tag: number, n: number): void {
    if (n < 16) this.one(fix | n);
    else if (n < 0x10000) this.head(tag, 2, n);
    else this.head(tag + 1, 4, n);
  }

  bytes(b: Uint8Array): void {
    const at = this.room(b.length);
    this.buf.set(b, at);
  }

  value(v: unknown): void {
    if (v === null || v === false || v === true) {
      this.one(v === null ? 0xc0 : v ? 0xc3 : 0xc2);
    } else if (v === undefined) {
      this.head(0xd4, 2, 0);
    } else if (typeof v === 'number') {
      this.number(v);
    } else if (typeof v === 'string') {
      this.string(v);
    } else if (v instanceof Uint8Array) {
      this.sized(0xc4, v.length);
      this.bytes(v);
    } else if (Array.isArray(v)) {
      this.count(0x90, 0xdc, v.length);
      for (const item of v) this.value(item);
    } else if (typeof v === 'object') {
      const keys = Object.keys(v);
      this.count(0x80, 0xde, keys.length);
      for (const k of keys) {
        this.value(k);
        this.value((v as Record<string, unknown>)[k]);
      }
    } else {
      throw new Error(`msgpack: cannot encode ${typeof v}`);
    }
  }

  /**
   * UTF-8 written in place: the header is sized for the longest the string can be (3 bytes per
   * UTF-16 unit), so nothing moves afterwards. A longer header than needed is still valid
   * MessagePack, and every reader (msgpackr included) takes it.
   */
  string(v: string): void {
    const max = v.length * 3;
    const size = max < 32 ? 0 : max < 0x100 ? 1 : max < 0x10000 ? 2 : 4;
    const at = this.room(1 + size + max);
    const start = at + 1 + size;
    let n = 0;
    if (v.length < 64) {
      // Keys and short texts: a plain loop beats TextEncoder's call cost while it is ASCII.
      for (; n < v.length; n++) {
        const c = v.charCodeAt(n);
        if (c >= 0x80) break;
        this.buf[start + n] = c;
      }
    }
    if (n < v.length) n = utf8Out.encodeInto(v, this.buf.subarray(start, start + max)).written;
    this.pos = start + n;
    if (size === 0) this.buf[at] = 0xa0 | n;
    else {
      this.buf[at] = size === 1 ? 0xd9 : size === 2 ? 0xda : 0xdb;
      if (size === 1) this.buf[at + 1] = n;
      else if (size === 2) this.view.setUint16(at + 1, n);
      else this.view.setUint32(at + 1, n);
    }
  }

  number(n: number): void {
    if (!Number.isInteger(n) || Math.abs(n) > Number.MAX_SAFE_INTEGER) {
      const at = this.room(9);
      this.buf[at] = 0xcb;
      this.view.setFloat64(at + 1, n);
    } else if (n >= 0) {
      if (n < 0x80) this.one(n);
      else if (n < 0x100) this.head(0xcc, 1, n);
      else if (n < 0x10000) this.head(0xcd, 2, n);
      else if (n < 0x100000000) this.head(0xce, 4, n);
      else this.head(0xcf, 8, n);
    } else if (n >= -32) {
      this.one(n & 0xff);
    } else {
      const at = this.room(9);
      this.buf[at] = 0xd3;
      this.view.setBigInt64(at + 1, BigInt(n));
    }
  }
}

class Reader {
  pos = 0;
  readonly view: DataView;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  take(n: number): number {
    if (this.pos + n > this.buf.length) throw new Error('msgpack: unexpected end of data');
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** An unsigned length of 1, 2 or 4 bytes. */
  len(size: number): number {
    const at = this.take(size);
    return size === 1 ? this.buf[at] : size === 2 ? this.view.getUint16(at) : this.view.getUint32(at);
  }

  str(n: number): string {
    const at = this.take(n);
    if (n < 64) {
      // Keys and short texts: a plain loop beats TextDecoder's call cost while it is ASCII.
      let out = '';
      for (let i = at; i < at + n; i++) {
        const c = this.buf[i];
        if (c >= 0x80) return utf8In.decode(this.buf.subarray(at, at + n));
        out += String.fromCharCode(c);
      }
      return out;
    }
    return utf8In.decode(this.buf.subarray(at, at + n));
  }

  array(n: number): unknown[] {
    // Each item takes at least one byte: a count beyond what is left is a lie, refused before allocating.
    if (n > this.buf.length - this.pos) throw new Error('msgpack: array longer than the data');
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = this.value();
    return out;
  }

  map(n: number): Record<string, unknown> {
    if (n * 2 > this.buf.length - this.pos) throw new Error('msgpack: map longer than the data');
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const k = this.value();
      if (typeof k !== 'string') throw new Error('msgpack: map key is not a string');
      const v = this.value();
      if (k !== '__proto__') out[k] = v;
    }
    return out;
  }

  value(): unknown {
    const t = this.buf[this.take(1)];
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 0x100;
    if (t < 0x90) return this.map(t & 0x0f);
    if (t < 0xa0) return this.array(t & 0x0f);
    if (t < 0xc0) return this.str(t & 0x1f);
    const v = this.view;
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: case 0xc5: case 0xc6: {
        const n = this.len(1 << (t - 0xc4));
        const at = this.take(n);
        return this.buf.subarray(at, at + n); // a view, as msgpackr gives: the packet is not reused
      }
      case 0xca: return v.getFloat32(this.take(4));
      case 0xcb: return v.getFloat64(this.take(8));
      case 0xcc: return this.len(1);
      case 0xcd: return this.len(2);
      case 0xce: return this.len(4);
      case 0xcf: return Number(v.getBigUint64(this.take(8)));
      case 0xd0: return v.getInt8(this.take(1));
      case 0xd1: return v.getInt16(this.take(2));
      case 0xd2: return v.getInt32(this.take(4));
      case 0xd3: return Number(v.getBigInt64(this.take(8)));
      case 0xd4: if (this.view.getUint16(this.take(2)) === 0) return undefined; break;
      case 0xd9: case 0xda: case 0xdb: return this.str(this.len(1 << (t - 0xd9)));
      case 0xdc: case 0xdd: return this.array(this.len(t === 0xdc ? 2 : 4));
      case 0xde: case 0xdf: return this.map(this.len(t === 0xde ? 2 : 4));
    }
    throw new Error(`msgpack: unsupported type 0x${t.toString(16)}`);
  }
}

/** Encoder and decoder (msgpackr's `Packr` surface, so the two can stand in for each other). */
export class Packr {
  /** One buffer for every pack() of this Packr, grown as needed; each result is a copy. */
  private readonly writer = new Writer();

  constructor(_options?: unknown) {}

  pack(value: unknown): Uint8Array {
    return this.packView(value).slice();
  }

  /**
   * pack() without the copy: a view of this Packr's buffer, overwritten by its next pack. For a
   * caller that hands the bytes over at once to something that copies them (RTCDataChannel.send
   * does), it saves an allocation and a copy of every message.
   */
  packView(value: unknown): Uint8Array {
    return this.packViewWith((w) => w.value(value));
  }

  /** packView, with `write` putting the value into the writer (a caller that knows its shape). */
  packViewWith(write: (w: Writer) => void): Uint8Array {
    const w = this.writer;
    w.pos = 0;
    try {
      write(w);
    } catch (e) {
      w.pos = 0;
      throw e;
    }
    return w.buf.subarray(0, w.pos);
  }

  unpack(data: Uint8Array): unknown {
    const r = new Reader(data);
    const value = r.value();
    if (r.pos !== data.length) throw new Error('msgpack: trailing bytes after the value');
    return value;
  }
}
