// TFRecord framing (TensorFlow's record_writer.cc): uint64 length, uint32 masked CRC-32C of the length, the bytes,
// uint32 masked CRC-32C of the bytes; little-endian. Both checksums are verified before a record is trusted.
import crc32c from 'crc-32/crc32c.js';

const maskDelta = 0xa282ead8;

/** CRC-32C (Castagnoli) as an unsigned 32-bit integer. */
export function crc32cOf(data: Uint8Array): number {
  return crc32c.buf(data) >>> 0;
}

/** TensorFlow stores CRCs rotated and offset, so a CRC of data that holds CRCs is not degenerate. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + maskDelta) >>> 0;
}

export class TFRecordError extends Error {}

export interface TFRecord {
  data: Buffer;
  /** Byte offset of the record's header in the file. */
  offset: number;
}

/**
 * Every complete record of a buffer. A record cut short at the end (a writer still running, or killed) ends the
 * iteration and is reported through `truncated`; a checksum that does not match throws with the byte offset.
 */
export function* readRecords(buf: Buffer, what: string, truncated: { at: number | null } = { at: null }): Generator<TFRecord> {
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 12) {
      truncated.at = off;
      return;
    }
    const len = buf.readBigUInt64LE(off);
    const lenCrc = buf.readUInt32LE(off + 8);
    if (maskCrc(crc32cOf(buf.subarray(off, off + 8))) !== lenCrc) {
      throw new TFRecordError(`${what}: the record at byte ${off} has a bad length checksum (not a TFRecord/event file, or corrupt)`);
    }
    if (len > BigInt(buf.length - off - 16)) {
      truncated.at = off;
      return;
    }
    const n = Number(len);
    const data = buf.subarray(off + 12, off + 12 + n);
    const dataCrc = buf.readUInt32LE(off + 12 + n);
    if (maskCrc(crc32cOf(data)) !== dataCrc) throw new TFRecordError(`${what}: the record at byte ${off} has a bad data checksum (corrupt file)`);
    yield { data, offset: off };
    off += 16 + n;
  }
}

/** One framed record, as TensorFlow's writer lays it out. */
export function frameRecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(16 + data.length);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskCrc(crc32cOf(out.subarray(0, 8))), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskCrc(crc32cOf(data)), 12 + data.length);
  return out;
}
