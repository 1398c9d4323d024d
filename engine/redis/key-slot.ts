/**
 * The Redis Cluster hash slot of a key, as the cluster specification defines it: CRC16 (XMODEM)
 * of the key's UTF-8 bytes, or of its hash tag (the bytes between the first `{` and the next `}`,
 * when that is not empty), modulo 16384. node-redis computes the same to route a command but does
 * not export it; the store needs it to gather the frames one node serves into one call.
 */
export function keySlot(key: string): number {
  const bytes = Buffer.from(key, 'utf8');
  let start = 0;
  let end = bytes.length;
  const open = bytes.indexOf(OPEN);
  if (open !== -1) {
    const close = bytes.indexOf(CLOSE, open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) ^ CRC16_TABLE[((crc >>> 8) ^ bytes[i]!) & 0xff]!) & 0xffff;
  return crc & (SLOTS - 1);
}

const SLOTS = 16_384;
const OPEN = 0x7b;
const CLOSE = 0x7d;

/** CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), one entry per byte value. */
const CRC16_TABLE = Uint16Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  return crc;
});
