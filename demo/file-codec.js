// @ts-check
// A file travels as one binary message:
//   bytes 0–1  header length N (uint16, big-endian)
//   bytes 2…   N bytes of UTF-8 JSON {"name": string, "type": string}
//   the rest   the file's bytes
// Binary that does not parse as this (e.g. sent by another program) is still shown, as raw bytes.
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const HEADER_LENGTH_BYTES = 2;

/** @typedef {import('./messages-view.js').FileData} FileData */

/**
 * Header + file bytes in one message.
 * @param {string} name
 * @param {string} type
 * @param {Uint8Array} bytes
 */
export function encodeFile(name, type, bytes) {
  const header = encoder.encode(JSON.stringify({ name, type: type || 'application/octet-stream' }));
  if (header.length > 0xffff) throw new Error('file name too long');
  const out = new Uint8Array(HEADER_LENGTH_BYTES + header.length + bytes.length);
  new DataView(out.buffer).setUint16(0, header.length, false);
  out.set(header, HEADER_LENGTH_BYTES);
  out.set(bytes, HEADER_LENGTH_BYTES + header.length);
  return out;
}

/**
 * Bytes a file of `fileBytes` named `name` takes as a message (what counts against the limit).
 * @param {string} name
 * @param {string} type
 * @param {number} fileBytes
 */
export function encodedSize(name, type, fileBytes) {
  const header = encoder.encode(JSON.stringify({ name, type: type || 'application/octet-stream' }));
  return HEADER_LENGTH_BYTES + header.length + fileBytes;
}

/**
 * The file in a message; `raw` when it is not a demo file (then named binary.bin).
 * @param {Uint8Array} bytes
 * @returns {FileData & { raw: boolean }}
 */
export function decodeFile(bytes) {
  const raw = { name: 'binary.bin', type: 'application/octet-stream', data: bytes, raw: true };
  if (bytes.length < HEADER_LENGTH_BYTES) return raw;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint16(0, false);
  const start = HEADER_LENGTH_BYTES + headerLength;
  if (headerLength === 0 || start > bytes.length) return raw;
  try {
    const header = JSON.parse(decoder.decode(bytes.subarray(HEADER_LENGTH_BYTES, start)));
    if (typeof header?.name !== 'string' || header.name === '') return raw;
    return {
      // A peer chooses the name: keep only the last path segment, so a download never suggests a path.
      name: header.name.split(/[\\/]/).pop() || 'file',
      type: typeof header.type === 'string' ? header.type : 'application/octet-stream',
      data: bytes.subarray(start),
      raw: false,
    };
  } catch {
    return raw;
  }
}
