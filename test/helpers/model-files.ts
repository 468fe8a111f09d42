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
type Writer = (b: Buffer, v: never) => unknown;
/** GGUF scalar types: byte size and little-endian writer (bool is written as a u8). */
const SCALARS: Record<string, [number, Writer]> = {
  u8: [1, (b, v: number) => b.writeUInt8(v)],
  i8: [1, (b, v: number) => b.writeInt8(v)],
  u16: [2, (b, v: number) => b.writeUInt16LE(v)],
  i16: [2, (b, v: number) => b.writeInt16LE(v)],
  u32: [4, (b, v: number) => b.writeUInt32LE(v)],
  i32: [4, (b, v: number) => b.writeInt32LE(v)],
  f32: [4, (b, v: number) => b.writeFloatLE(v)],
  bool: [1, (b, v: boolean) => b.writeUInt8(v ? 1 : 0)],
  u64: [8, (b, v: bigint) => b.writeBigUInt64LE(v)],
  i64: [8, (b, v: bigint) => b.writeBigInt64LE(v)],
  f64: [8, (b, v: number) => b.writeDoubleLE(v)],
};
function scalar(t: string, v: number | bigint | boolean | string): Buffer {
  if (t === 'string') return str(v as string);
  const spec = SCALARS[t];
  if (!spec) throw new Error(t);
  const b = Buffer.alloc(spec[0]);
  spec[1](b, v as never);
  return b;
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

/** Protobuf varint. */
export function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

/**
 * One SentencePiece ModelProto `pieces` entry (field 1): {1: piece, 2: score -1.0, 3: type}; the type
 * is left out when not given (1, normal).
 */
export function sentencePiece(text: string, type?: number): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  const body = [0x0a, ...varint(bytes.length), ...bytes, 0x15, 0, 0, 0x80, 0xbf];
  if (type !== undefined) body.push(0x18, ...varint(type));
  return [0x0a, ...varint(body.length), ...body];
}
