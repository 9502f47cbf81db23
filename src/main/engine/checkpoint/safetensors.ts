// The safetensors format (huggingface/safetensors): u64 little-endian header length, a JSON header of
// {name: {dtype, shape, data_offsets}} plus optional string __metadata__, then the raw little-endian data.
// Hand-written because the npm "safetensors" package is an unmaintained 0.0.1; only F32 is needed here.

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const MAX_HEADER = 100 * 1024 * 1024;

export function encodeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`tensor ${t.name}: shape [${t.shape}] does not match ${t.data.length} values`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBytes.length + offset);
  out.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(out, 8);
  let pos = 8 + headerBytes.length;
  for (const t of tensors) {
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (isLittleEndian) bytes.copy(out, pos);
    else for (let i = 0; i < t.data.length; i++) out.writeFloatLE(t.data[i], pos + 4 * i);
    pos += bytes.length;
  }
  return out;
}

export interface DecodedSafetensors {
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
  metadata: Record<string, string>;
}

/** Parses a safetensors buffer; `what` names the file in errors. */
export function decodeSafetensors(buf: Uint8Array, what = 'safetensors file'): DecodedSafetensors {
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (view.length < 8) throw new Error(`${what}: too short to be safetensors`);
  const n = Number(view.readBigUInt64LE(0));
  if (n > MAX_HEADER || 8 + n > view.length) throw new Error(`${what}: bad safetensors header length`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(view.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new Error(`${what}: safetensors header is not valid JSON`);
  }
  const dataStart = 8 + n;
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: string; shape?: number[]; data_offsets?: [number, number] };
    if (e.dtype !== 'F32') throw new Error(`${what}: tensor ${name} has dtype ${String(e.dtype)}, only F32 is supported`);
    const [begin, end] = e.data_offsets ?? [0, -1];
    const count = (e.shape ?? []).reduce((a, b) => a * b, 1);
    if (end - begin !== 4 * count || dataStart + end > view.length) throw new Error(`${what}: tensor ${name} has bad offsets`);
    let data: Float32Array;
    if (isLittleEndian) data = new Float32Array(new Uint8Array(view.subarray(dataStart + begin, dataStart + end)).buffer);
    else {
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) data[i] = view.readFloatLE(dataStart + begin + 4 * i);
    }
    tensors.set(name, { shape: e.shape ?? [], data });
  }
  return { tensors, metadata };
}

const isLittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
