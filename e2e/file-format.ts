// The demo's file message format (demo/file-codec.js), written out again on the Node
// side so the tests check the bytes on the wire rather than trust the page's own codec:
//   uint16 big-endian header length N, N bytes of UTF-8 JSON {"name","type"}, then the file's bytes.

export function encodeDemoFile(name: string, type: string, data: Uint8Array): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({ name, type }));
  const out = new Uint8Array(2 + header.length + data.length);
  new DataView(out.buffer).setUint16(0, header.length, false);
  out.set(header, 2);
  out.set(data, 2 + header.length);
  return out;
}

export function decodeDemoFile(bytes: Uint8Array): { name: string; type: string; data: Uint8Array } {
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(0, false);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(2, 2 + n))) as { name: string; type: string };
  return { name: header.name, type: header.type, data: bytes.subarray(2 + n) };
}
