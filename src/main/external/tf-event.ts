// The parts of TensorFlow's Event protobuf (event.proto, summary.proto, tensor.proto) that carry scalars, decoded
// with protobufjs; every other field is skipped by number. A scalar is a `simple_value` or a 0-d (or 1-element) tensor.
import protobuf from 'protobufjs/light.js';

const root = protobuf.Root.fromJSON({
  nested: {
    tb: {
      nested: {
        Event: {
          fields: {
            wall_time: { type: 'double', id: 1 },
            step: { type: 'int64', id: 2 },
            file_version: { type: 'string', id: 3 },
            summary: { type: 'Summary', id: 5 },
          },
        },
        Summary: { fields: { value: { rule: 'repeated', type: 'Value', id: 1 } } },
        Value: {
          fields: {
            tag: { type: 'string', id: 1 },
            simple_value: { type: 'float', id: 2 },
            tensor: { type: 'TensorProto', id: 8 },
            metadata: { type: 'SummaryMetadata', id: 9 },
          },
        },
        SummaryMetadata: { fields: { plugin_data: { type: 'PluginData', id: 1 } } },
        PluginData: { fields: { plugin_name: { type: 'string', id: 1 }, content: { type: 'bytes', id: 2 } } },
        TensorProto: {
          fields: {
            dtype: { type: 'int32', id: 1 },
            tensor_shape: { type: 'TensorShapeProto', id: 2 },
            tensor_content: { type: 'bytes', id: 4 },
            float_val: { rule: 'repeated', type: 'float', id: 5 },
            double_val: { rule: 'repeated', type: 'double', id: 6 },
            int_val: { rule: 'repeated', type: 'int32', id: 7 },
            int64_val: { rule: 'repeated', type: 'int64', id: 10 },
            half_val: { rule: 'repeated', type: 'int32', id: 13 },
          },
        },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 } } },
        Dim: { fields: { size: { type: 'int64', id: 1 } } },
      },
    },
  },
});

export const EventType = root.lookupType('tb.Event');

/** TensorFlow DataType numbers (types.proto) a scalar summary can have. */
export const DType = { float: 1, double: 2, int32: 3, int64: 9, bfloat16: 14, half: 19 } as const;

interface TensorMsg {
  dtype?: number;
  tensor_shape?: { dim?: { size?: number }[] };
  tensor_content?: Uint8Array;
  float_val?: number[];
  double_val?: number[];
  int_val?: number[];
  int64_val?: number[];
  half_val?: number[];
}
interface ValueMsg {
  tag?: string;
  simple_value?: number;
  tensor?: TensorMsg;
}
interface EventMsg {
  wall_time?: number;
  step?: number;
  file_version?: string;
  summary?: { value?: ValueMsg[] };
}

export interface ScalarEvent {
  step: number;
  tag: string;
  value: number;
  wallTime: number;
}

/** A float32 as the shortest decimal that reads back as the same float32 (3.3, not 3.299999952316284). */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return d;
  }
  return v;
}

function half(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const f = bits & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** The one number of a scalar tensor, or null for anything else (histograms, images, text, vectors). */
export function tensorScalar(t: TensorMsg): number | null {
  const dims = t.tensor_shape?.dim ?? [];
  if (dims.some((d) => Number(d.size ?? 0) !== 1)) return null;
  const c = t.tensor_content && t.tensor_content.length ? Buffer.from(t.tensor_content) : null;
  switch (t.dtype) {
    case DType.float: {
      const v = c && c.length >= 4 ? c.readFloatLE(0) : t.float_val?.[0];
      return v === undefined ? null : shortestFloat32(v);
    }
    case DType.double:
      return c && c.length >= 8 ? c.readDoubleLE(0) : (t.double_val?.[0] ?? null);
    case DType.half:
      return c && c.length >= 2 ? half(c.readUInt16LE(0)) : t.half_val?.length ? half(t.half_val[0]) : null;
    case DType.bfloat16:
      if (c && c.length >= 2) {
        const b = Buffer.alloc(4);
        b.writeUInt16LE(c.readUInt16LE(0), 2);
        return b.readFloatLE(0);
      }
      return t.half_val?.length ? new Float32Array(new Uint32Array([t.half_val[0] << 16]).buffer)[0] : null;
    case DType.int32:
      return c && c.length >= 4 ? c.readInt32LE(0) : (t.int_val?.[0] ?? null);
    case DType.int64:
      return c && c.length >= 8 ? Number(c.readBigInt64LE(0)) : t.int64_val?.length ? Number(t.int64_val[0]) : null;
    default:
      return null;
  }
}

/** The scalars in one Event record; `skipped` counts summary values that were not scalars. */
export function decodeEvent(data: Uint8Array): { scalars: ScalarEvent[]; skipped: number } {
  const msg = EventType.toObject(EventType.decode(data), { longs: Number, defaults: false }) as EventMsg;
  const scalars: ScalarEvent[] = [];
  let skipped = 0;
  for (const v of msg.summary?.value ?? []) {
    const value = v.simple_value !== undefined ? shortestFloat32(v.simple_value) : v.tensor ? tensorScalar(v.tensor) : null;
    if (value === null || !v.tag) {
      skipped++;
      continue;
    }
    scalars.push({ step: Math.max(0, Math.floor(Number(msg.step ?? 0))), tag: v.tag, value, wallTime: msg.wall_time ?? 0 });
  }
  return { scalars, skipped };
}

/** An Event record as TensorFlow and PyTorch write it (for tests and tools). */
export function encodeEvent(e: EventMsg & { summary?: { value?: (ValueMsg & { metadata?: { plugin_data?: { plugin_name: string } } })[] } }): Uint8Array {
  return EventType.encode(EventType.fromObject(e)).finish();
}
