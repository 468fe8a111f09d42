// Writers for model files used by several tests: GGUF headers (metadata only, tensor data stood in
// by zero bytes) and safetensors files, written whole or as sparse files of their real size.
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import type { SafetensorsTensor } from '../../src/evidence/safetensors.js';

export type Scalar =
  | { t: 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32' | 'f64'; v: number }
  | { t: 'u64' | 'i64'; v: bigint }
  | { t: 'bool'; v: boolean }
  | { t: 'string'; v: string };
export type Value = Scalar | { t: 'array'; elem: Scalar['t']; v: (number | bigint | boolean | string)[] };

const TYPE: Record<string, number> = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
};

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
function u64(n: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}
function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([u64(b.length), b]);
}
function scalar(t: string, v: number | bigint | boolean | string): Buffer {
  const b = Buffer.alloc(8);
  switch (t) {
    case 'u8':
      b.writeUInt8(v as number);
      return b.subarray(0, 1);
    case 'i8':
      b.writeInt8(v as number);
      return b.subarray(0, 1);
    case 'u16':
      b.writeUInt16LE(v as number);
      return b.subarray(0, 2);
    case 'i16':
      b.writeInt16LE(v as number);
      return b.subarray(0, 2);
    case 'u32':
      b.writeUInt32LE(v as number);
      return b.subarray(0, 4);
    case 'i32':
      b.writeInt32LE(v as number);
      return b.subarray(0, 4);
    case 'f32':
      b.writeFloatLE(v as number);
      return b.subarray(0, 4);
    case 'bool':
      b.writeUInt8(v ? 1 : 0);
      return b.subarray(0, 1);
    case 'u64':
      b.writeBigUInt64LE(v as bigint);
      return b;
    case 'i64':
      b.writeBigInt64LE(v as bigint);
      return b;
    case 'f64':
      b.writeDoubleLE(v as number);
      return b;
    case 'string':
      return str(v as string);
  }
  throw new Error(t);
}
function value(v: Value): Buffer {
  if (v.t === 'array') {
    return Buffer.concat([u32(TYPE[v.elem]), u64(v.v.length), ...v.v.map((e) => scalar(v.elem, e))]);
  }
  return scalar(v.t, v.v);
}

export interface BuildOptions {
  magic?: string;
  version?: number;
  tensorCount?: bigint;
  kvCount?: bigint;
  /** Bytes appended after the kv pairs (stands in for tensor infos and data). */
  tail?: number;
}
export function buildGguf(kvs: [string, Value][], o: BuildOptions = {}): Buffer {
  return Buffer.concat([
    Buffer.from(o.magic ?? 'GGUF', 'latin1'),
    u32(o.version ?? 3),
    u64(o.tensorCount ?? 291n),
    u64(o.kvCount ?? BigInt(kvs.length)),
    ...kvs.map(([k, v]) => Buffer.concat([str(k), u32(TYPE[v.t]), value(v)])),
    Buffer.alloc(o.tail ?? 0),
  ]);
}

// ---- safetensors ---------------------------------------------------------------------------------

const BYTES: Record<string, number> = { F16: 2, BF16: 2, F32: 4, I64: 8, U8: 1, F8_E4M3: 1 };

/** 8-byte length + header text padded with spaces to a multiple of 8, and the data size it declares. */
export function safetensorsHeader(
  tensors: SafetensorsTensor[],
  metadata?: Record<string, string>,
): { head: Buffer; dataSize: number } {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  return { head: withHeader(JSON.stringify(header), 0), dataSize: offset };
}

/** A complete safetensors file for the given tensors (zero-filled data). */
export function buildSafetensors(tensors: SafetensorsTensor[], metadata?: Record<string, string>): Buffer {
  const { head, dataSize } = safetensorsHeader(tensors, metadata);
  return Buffer.concat([head, Buffer.alloc(dataSize)]);
}

/** 8-byte length + header text (padded with spaces to a multiple of 8) + `dataSize` zero bytes. */
export function withHeader(json: string, dataSize: number, lengthOverride?: bigint): Buffer {
  const text = Buffer.from(json.padEnd(Math.ceil(json.length / 8) * 8, ' '));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(text.length));
  return Buffer.concat([len, text, Buffer.alloc(dataSize)]);
}

/** Writes the header and extends the file to its real size without writing the data (sparse). */
export function writeSparseSafetensors(path: string, tensors: SafetensorsTensor[]): number {
  const { head, dataSize } = safetensorsHeader(tensors);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    ftruncateSync(fd, head.length + dataSize);
  } finally {
    closeSync(fd);
  }
  return head.length + dataSize;
}
