/**
 * CRC-16/X.25 as used for the HDLC header check sequence (HCS) and frame check sequence (FCS) of
 * IEC 62056-46: reflected polynomial 0x8408, initial value 0xFFFF, final XOR 0xFFFF, transmitted
 * low byte first. Check value: crc16x25("123456789") = 0x906E.
 */
const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x8408 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc16x25(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return (crc ^ 0xffff) & 0xffff;
}

/** The two check bytes as they appear on the wire (low byte first). */
export function crcBytes(bytes: Uint8Array, start = 0, end = bytes.length): [number, number] {
  const c = crc16x25(bytes, start, end);
  return [c & 0xff, c >>> 8];
}

/** True when the two bytes at `at` are the CRC of bytes[start, at). */
export function crcMatches(bytes: Uint8Array, start: number, at: number): boolean {
  const c = crc16x25(bytes, start, at);
  return bytes[at] === (c & 0xff) && bytes[at + 1] === c >>> 8;
}
