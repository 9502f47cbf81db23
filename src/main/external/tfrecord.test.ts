// TFRecord framing and Event decoding checked against the format itself, not against our own writer: CRC-32C test
// vectors from RFC 3720, a bit-by-bit CRC and the mask formula from TensorFlow's record docs, and Event bytes
// assembled by hand from the field numbers of event.proto / summary.proto / tensor.proto.
import { describe, expect, it } from 'vitest';
import { crc32cOf, frameRecord, maskCrc, readRecords, TFRecordError } from './tfrecord.ts';
import { decodeEvent } from './tf-event.ts';
import { scalarEvent } from './testing/tfevents-writer.ts';

/** CRC-32C bit by bit (reflected Castagnoli polynomial 0x82F63B78): slow, obviously right. */
function crcBitwise(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of data) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** masked_crc = ((crc >> 15) | (crc << 17)) + 0xa282ead8 on 32 bits, in BigInt so nothing can overflow unnoticed. */
function maskSpec(crc: number): number {
  const c = BigInt(crc);
  const rot = ((c >> 15n) | (c << 17n)) & 0xffffffffn;
  return Number((rot + 0xa282ead8n) & 0xffffffffn);
}

const varint = (n: number): number[] => {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
};
const field = (no: number, wire: number): number[] => varint((no << 3) | wire);
const lenDelim = (no: number, bytes: number[]): number[] => [...field(no, 2), ...varint(bytes.length), ...bytes];
const f32 = (v: number): number[] => [...new Uint8Array(new Float32Array([v]).buffer)];
const f64 = (v: number): number[] => [...new Uint8Array(new Float64Array([v]).buffer)];
const utf8 = (s: string): number[] => [...Buffer.from(s)];

describe('CRC-32C and the mask', () => {
  it('matches the RFC 3720 test vectors and a bitwise implementation', () => {
    expect(crc32cOf(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32cOf(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32cOf(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32cOf(Buffer.from('123456789'))).toBe(0xe3069283);
    const random = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 255);
    expect(crc32cOf(random)).toBe(crcBitwise(random));
  });

  it('masks as TensorFlow documents', () => {
    for (const c of [0, 1, 0x8a9136aa, 0xffffffff, 0xe3069283]) expect(maskCrc(c)).toBe(maskSpec(c));
  });
});

describe('TFRecord framing', () => {
  it('lays out length, masked length CRC, data and masked data CRC, little-endian', () => {
    const data = Buffer.from('hello');
    const rec = frameRecord(data);
    expect(rec.length).toBe(21);
    expect(rec.readBigUInt64LE(0)).toBe(5n);
    expect(rec.readUInt32LE(8)).toBe(maskSpec(crcBitwise(rec.subarray(0, 8))));
    expect(rec.subarray(12, 17).toString()).toBe('hello');
    expect(rec.readUInt32LE(17)).toBe(maskSpec(crcBitwise(data)));
    expect([...readRecords(Buffer.concat([rec, rec]), 'f')].map((r) => r.data.toString())).toEqual(['hello', 'hello']);
  });

  it('rejects a bad checksum with the byte offset, and stops quietly at a record cut short', () => {
    const two = Buffer.concat([frameRecord(Buffer.from('a')), frameRecord(Buffer.from('bb'))]);
    const bad = Buffer.from(two);
    bad[17 + 12] ^= 1;
    expect(() => [...readRecords(bad, 'f')]).toThrow(TFRecordError);
    expect(() => [...readRecords(bad, 'f')]).toThrow(/byte 17 has a bad data checksum/);
    const notTf = Buffer.from('this is not a tfrecord file at all');
    expect(() => [...readRecords(notTf, 'x')]).toThrow(/bad length checksum/);
    const truncated = { at: null as number | null };
    expect([...readRecords(two.subarray(0, two.length - 3), 'f', truncated)]).toHaveLength(1);
    expect(truncated.at).toBe(17);
  });
});

describe('Event decoding', () => {
  it('reads hand-assembled Events: simple_value, a float_val tensor, a double tensor_content, and skips the rest', () => {
    // Event { wall_time(1, double), step(2, varint), summary(5) { value(1) { tag(1), simple_value(2, float) } } }
    const simple = [...field(1, 1), ...f64(1.5e9), ...field(2, 0), ...varint(300), ...lenDelim(5, lenDelim(1, [...lenDelim(1, utf8('train/loss')), ...field(2, 5), ...f32(2.5)]))];
    expect(decodeEvent(Uint8Array.from(simple)).scalars).toEqual([{ step: 300, tag: 'train/loss', value: 2.5, wallTime: 1.5e9 }]);
    // value(1) { tag(1), tensor(8) { dtype(1)=DT_FLOAT, tensor_shape(2) {}, float_val(5, packed) } }
    const tensor = [...field(1, 0), 1, ...lenDelim(2, []), ...lenDelim(5, f32(0.75))];
    const tensorEvent = [...field(2, 0), ...varint(7), ...lenDelim(5, lenDelim(1, [...lenDelim(1, utf8('val/loss')), ...lenDelim(8, tensor)]))];
    expect(decodeEvent(Uint8Array.from(tensorEvent)).scalars).toEqual([{ step: 7, tag: 'val/loss', value: 0.75, wallTime: 0 }]);
    // tensor(8) { dtype=DT_DOUBLE(2), tensor_content(4) = 8 little-endian bytes }
    const dbl = [...field(1, 0), 2, ...lenDelim(4, f64(Math.PI))];
    const dblEvent = [...field(2, 0), 1, ...lenDelim(5, lenDelim(1, [...lenDelim(1, utf8('x')), ...lenDelim(8, dbl)]))];
    expect(decodeEvent(Uint8Array.from(dblEvent)).scalars[0].value).toBe(Math.PI);
    // A vector tensor (shape [3]) is not a scalar; file_version(3) records carry none.
    const vec = [...field(1, 0), 1, ...lenDelim(2, lenDelim(2, [...field(1, 0), 3])), ...lenDelim(5, [...f32(1), ...f32(2), ...f32(3)])];
    const vecEvent = [...field(2, 0), 1, ...lenDelim(5, lenDelim(1, [...lenDelim(1, utf8('h')), ...lenDelim(8, vec)]))];
    expect(decodeEvent(Uint8Array.from(vecEvent))).toEqual({ scalars: [], skipped: 1 });
    expect(decodeEvent(Uint8Array.from(lenDelim(3, utf8('brain.Event:2'))))).toEqual({ scalars: [], skipped: 0 });
  });

  it('our writer produces exactly the bytes assembled by hand', () => {
    const hand = [...field(1, 1), ...f64(1_700_000_005), ...field(2, 0), 5, ...lenDelim(5, lenDelim(1, [...lenDelim(1, utf8('loss')), ...field(2, 5), ...f32(1.25)]))];
    expect([...scalarEvent(5, 'loss', 1.25)]).toEqual(hand);
  });
});
