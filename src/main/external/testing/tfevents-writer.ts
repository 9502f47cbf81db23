// A small TensorBoard event-file writer for tests and tools: the same framing and Event records that
// TensorFlow's and PyTorch's SummaryWriter produce (a file_version record first, then one Event per scalar).
import fs from 'node:fs';
import { frameRecord } from '../tfrecord.ts';
import { encodeEvent, DType } from '../tf-event.ts';

export type ScalarForm = 'simple_value' | 'tensor_float_val' | 'tensor_content_double';

export function scalarEvent(step: number, tag: string, value: number, form: ScalarForm = 'simple_value', wallTime = 1_700_000_000 + step): Uint8Array {
  if (form === 'simple_value') return encodeEvent({ wall_time: wallTime, step, summary: { value: [{ tag, simple_value: value }] } });
  const content = Buffer.alloc(8);
  content.writeDoubleLE(value);
  const tensor =
    form === 'tensor_float_val'
      ? { dtype: DType.float, tensor_shape: {}, float_val: [value] }
      : { dtype: DType.double, tensor_shape: {}, tensor_content: content };
  return encodeEvent({ wall_time: wallTime, step, summary: { value: [{ tag, tensor, metadata: { plugin_data: { plugin_name: 'scalars' } } }] } });
}

export function writeEventFile(file: string, scalars: { step: number; tag: string; value: number; form?: ScalarForm }[]): void {
  const records = [frameRecord(encodeEvent({ wall_time: 1_700_000_000, file_version: 'brain.Event:2' }))];
  for (const s of scalars) records.push(frameRecord(scalarEvent(s.step, s.tag, s.value, s.form)));
  fs.writeFileSync(file, Buffer.concat(records));
}
