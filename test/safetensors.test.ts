import fc from 'fast-check';
import { fuzzParams } from './helpers/fuzz.js';
import type { ReadResult, RepoSource } from '../src/sources/source.js';
import {
  deriveShapes,
  parseSafetensorsHeader,
  parseSafetensorsIndex,
  readSafetensorsHeader,
  SAFETENSORS_FIRST_READ,
  type SafetensorsHeader,
  type SafetensorsTensor,
} from '../src/evidence/safetensors.js';
import { buildSafetensors, withHeader } from './helpers/model-files.js';

/** Tiny Llama-like decoder: vocab 64, hidden 16, 2 layers, 2 KV heads × 4, intermediate 32. */
function tinyLlama(): SafetensorsTensor[] {
  const t: SafetensorsTensor[] = [{ name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [64, 16] }];
  for (let i = 0; i < 2; i++) {
    const p = `model.layers.${i}.`;
    t.push(
      { name: `${p}self_attn.q_proj.weight`, dtype: 'BF16', shape: [16, 16] },
      { name: `${p}self_attn.k_proj.weight`, dtype: 'BF16', shape: [8, 16] },
      { name: `${p}self_attn.v_proj.weight`, dtype: 'BF16', shape: [8, 16] },
      { name: `${p}self_attn.o_proj.weight`, dtype: 'BF16', shape: [16, 16] },
      { name: `${p}mlp.gate_proj.weight`, dtype: 'BF16', shape: [32, 16] },
      { name: `${p}mlp.up_proj.weight`, dtype: 'BF16', shape: [32, 16] },
      { name: `${p}mlp.down_proj.weight`, dtype: 'BF16', shape: [16, 32] },
      { name: `${p}input_layernorm.weight`, dtype: 'BF16', shape: [16] },
    );
  }
  t.push(
    { name: 'model.norm.weight', dtype: 'BF16', shape: [16] },
    { name: 'lm_head.weight', dtype: 'BF16', shape: [64, 16] },
  );
  return t;
}

function parseFull(file: string, buf: Buffer, maxHeader?: number): SafetensorsHeader {
  const r = parseSafetensorsHeader(file, buf, buf.length, maxHeader);
  if (r.kind !== 'header') throw new Error(`unexpected need-more ${r.needBytes}`);
  return r;
}

class MemSource implements RepoSource {
  readonly target = { kind: 'local' as const, path: '/mem' };
  readonly calls: string[] = [];
  constructor(private readonly files: Record<string, Buffer>) {}
  async list() {
    return { entries: [], notes: [] };
  }
  async read(path: string, maxBytes: number): Promise<ReadResult> {
    this.calls.push(`read ${path} ${maxBytes}`);
    const f = this.files[path];
    if (!f) return { ok: false, reason: 'not found' };
    return { ok: true, data: f.subarray(0, maxBytes), truncated: f.length > maxBytes, size: f.length };
  }
  async readRange(path: string, offset: number, length: number): Promise<ReadResult> {
    this.calls.push(`range ${path} ${offset} ${length}`);
    const f = this.files[path];
    if (!f) return { ok: false, reason: 'not found' };
    return { ok: true, data: f.subarray(offset, offset + length), truncated: false, size: f.length };
  }
}

describe('parseSafetensorsHeader', () => {
  it('reads a real-shaped header of a tiny Llama-like model, with metadata', () => {
    const buf = buildSafetensors(tinyLlama(), { format: 'pt' });
    const r = parseFull('model.safetensors', buf);
    expect(r.problems).toEqual([]);
    expect(r.metadata).toEqual({ format: 'pt' });
    expect(r.tensors).toHaveLength(19);
    expect(r.tensors[0]).toEqual({ name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [64, 16] });
    expect(deriveShapes(r.tensors)).toEqual({
      vocabSize: 64,
      hiddenSize: 16,
      numLayers: 2,
      kvWidth: 8,
      intermediateSize: 32,
    });
  });

  it('asks for exactly 8 and then 8 + N bytes', () => {
    const buf = buildSafetensors(tinyLlama());
    const n = Number(buf.readBigUInt64LE(0));
    expect(parseSafetensorsHeader('m.safetensors', buf.subarray(0, 3), buf.length)).toEqual({
      kind: 'need-more',
      needBytes: 8,
    });
    expect(parseSafetensorsHeader('m.safetensors', buf.subarray(0, 8), buf.length)).toEqual({
      kind: 'need-more',
      needBytes: 8 + n,
    });
    expect(parseSafetensorsHeader('m.safetensors', buf.subarray(0, 8 + n), buf.length).kind).toBe('header');
  });

  it('rejects a header length larger than the file', () => {
    const buf = withHeader('{}', 0, 4096n);
    const r = parseFull('big.safetensors', buf);
    expect(r.tensors).toEqual([]);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].file).toBe('big.safetensors');
    expect(r.problems[0].message).toMatch(/header length 4096 exceeds the 8 bytes that follow/);
  });

  it('rejects N = 2^62 and N above the bound, without asking for more bytes', () => {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(2n ** 62n);
    const r = parseSafetensorsHeader('x.safetensors', len, 40e9);
    expect(r.kind).toBe('header');
    expect((r as SafetensorsHeader).problems[0].message).toMatch(/4611686018427387904 exceeds/);
    len.writeBigUInt64LE(200n * 1024n * 1024n);
    const r2 = parseSafetensorsHeader('x.safetensors', len, 40e9);
    expect((r2 as SafetensorsHeader).problems[0].message).toMatch(/exceeds the 104857600-byte bound/);
    len.writeBigUInt64LE(0n);
    expect(
      (parseSafetensorsHeader('x.safetensors', len, 100) as SafetensorsHeader).problems[0].message,
    ).toMatch(/length is 0/);
  });

  it('reports files smaller than 8 bytes and LFS pointers', () => {
    expect(parseFull('t.safetensors', Buffer.from('abc')).problems[0].message).toMatch(
      /smaller than the 8-byte/,
    );
    const ptr = Buffer.from(
      `version https://git-lfs.github.com/spec/v1\noid sha256:${'a'.repeat(64)}\nsize 5\n`,
    );
    expect(parseFull('p.safetensors', ptr).problems[0].message).toMatch(/Git LFS pointer/);
  });

  it('reports truncated JSON, non-object JSON and invalid UTF-8', () => {
    const truncated = withHeader('{"model.embed_tokens.weight": {"dtype": "F16", "sha', 0);
    expect(parseFull('a.safetensors', truncated).problems[0].message).toMatch(/not valid JSON/);
    for (const json of ['[1, 2, 3]', '"text"', 'null', '42']) {
      const r = parseFull('b.safetensors', withHeader(json, 0));
      expect(r.problems).toEqual([
        { file: 'b.safetensors', message: 'safetensors header is not a JSON object' },
      ]);
    }
    const bad = withHeader('{"\u00e9": 1}', 0);
    bad[10] = 0xff;
    expect(parseFull('c.safetensors', bad).problems[0].message).toMatch(/UTF-8/);
  });

  it('keeps valid entries and names each invalid one', () => {
    const header = {
      good: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      beyond: { dtype: 'F32', shape: [4], data_offsets: [0, 1 << 20] },
      negative: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] },
      fraction: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] },
      backwards: { dtype: 'F32', shape: [1], data_offsets: [8, 4] },
      mismatch: { dtype: 'F32', shape: [3], data_offsets: [0, 4] },
      nodtype: { dtype: 7, shape: [1], data_offsets: [0, 4] },
      notobj: 'x',
      __metadata__: { ok: 'yes', bad: 3 },
    };
    const r = parseFull('m.safetensors', withHeader(JSON.stringify(header), 16));
    expect(r.tensors.map((t) => t.name)).toEqual(['good']);
    expect(r.metadata).toEqual({ ok: 'yes' });
    const text = r.problems.map((p) => p.message).join('\n');
    for (const name of ['beyond', 'negative', 'fraction', 'backwards', 'mismatch', 'nodtype', 'notobj']) {
      expect(text).toContain(`"${name}"`);
    }
    expect(text).toMatch(/__metadata__ value for "bad"/);
    expect(r.problems.every((p) => p.file === 'm.safetensors')).toBe(true);
  });

  it('caps the number of problems listed', () => {
    const header: Record<string, unknown> = {};
    for (let i = 0; i < 500; i++) header[`t${i}`] = { dtype: 'F32', shape: [1], data_offsets: [0, 999] };
    const r = parseFull('m.safetensors', withHeader(JSON.stringify(header), 0));
    expect(r.problems).toHaveLength(21);
    expect(r.problems[20].message).toBe('480 more problems in the safetensors header');
  });

  it('property: any bytes and size give a header or a bounded need-more, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 1000 }), (bytes, extra) => {
        const buf = Buffer.from(bytes);
        const size = buf.length + extra;
        const r = parseSafetensorsHeader('f.safetensors', buf, size, 512);
        if (r.kind === 'need-more') {
          expect(r.needBytes).toBeGreaterThan(buf.length);
          expect(r.needBytes).toBeLessThanOrEqual(Math.min(size, 8 + 512));
        } else {
          for (const p of r.problems) expect(p.file).toBe('f.safetensors');
        }
      }),
      fuzzParams(),
    );
  });

  it('property: any JSON value as header gives tensors that satisfy the contract', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.nat({ max: 64 }), (value, data) => {
        const r = parseFull('f.safetensors', withHeader(JSON.stringify(value) ?? 'null', data));
        for (const t of r.tensors) {
          expect(typeof t.dtype).toBe('string');
          expect(t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)).toBe(true);
        }
        expect(() => deriveShapes(r.tensors)).not.toThrow();
      }),
      fuzzParams(),
    );
  });
});

describe('readSafetensorsHeader', () => {
  it('reads a header in one bounded read, never the data beyond the first 128 KiB', async () => {
    // 512 KiB of embedding data after the header: only the first read's prefix is touched.
    const tensors: SafetensorsTensor[] = [
      { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [64, 4096] },
    ];
    const buf = buildSafetensors(tensors);
    const src = new MemSource({ 'model.safetensors': buf });
    const r = await readSafetensorsHeader(src, 'model.safetensors', buf.length);
    expect(r.problems).toEqual([]);
    expect(r.tensors).toEqual(tensors);
    expect(src.calls).toEqual([`range model.safetensors 0 ${SAFETENSORS_FIRST_READ}`]);
  });

  it('reads the rest of a header larger than the first read, exactly', async () => {
    const tensors = Array.from({ length: 3000 }, (_, i) => ({
      name: `model.layers.${i}.mlp.experts.0.gate_proj.weight`,
      dtype: 'BF16',
      shape: [8, 8],
    }));
    const buf = buildSafetensors(tensors);
    const n = Number(buf.readBigUInt64LE(0));
    expect(n).toBeGreaterThan(SAFETENSORS_FIRST_READ);
    const src = new MemSource({ 'model.safetensors': buf });
    const r = await readSafetensorsHeader(src, 'model.safetensors', buf.length);
    expect(r.problems).toEqual([]);
    expect(r.tensors).toHaveLength(3000);
    expect(src.calls).toEqual([
      `range model.safetensors 0 ${SAFETENSORS_FIRST_READ}`,
      `range model.safetensors 8 ${n}`,
    ]);
  });

  it('stops after the first read when the length lies', async () => {
    const buf = withHeader('{}', 0, 2n ** 30n);
    const src = new MemSource({ 'm.safetensors': buf });
    const r = await readSafetensorsHeader(src, 'm.safetensors', 10e9);
    expect(r.problems[0].message).toMatch(/exceeds the 104857600-byte bound/);
    expect(src.calls).toEqual([`range m.safetensors 0 ${SAFETENSORS_FIRST_READ}`]);
  });

  it('reports a file shorter than its listed size', async () => {
    const buf = buildSafetensors(tinyLlama());
    const src = new MemSource({ 'm.safetensors': buf.subarray(0, 100) });
    const r = await readSafetensorsHeader(src, 'm.safetensors', buf.length);
    expect(r.problems[0]).toEqual({
      file: 'm.safetensors',
      message: expect.stringMatching(/truncated: 92 of \d+ bytes present/),
    });
    const empty = await readSafetensorsHeader(
      new MemSource({ 'e.safetensors': Buffer.alloc(0) }),
      'e.safetensors',
      5000,
    );
    expect(empty.problems[0].message).toMatch(/ended before the 8-byte/);
    const missing = await readSafetensorsHeader(src, 'nope.safetensors', 5000);
    expect(missing.problems[0].message).toMatch(/cannot read .*not found/);
  });

  it('treats a Git LFS pointer as evidence, not as a broken file', async () => {
    const oid = 'f'.repeat(64);
    const ptr = Buffer.from(
      `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize 16060522704\n`,
    );
    const r = await readSafetensorsHeader(
      new MemSource({ 'p.safetensors': ptr }),
      'p.safetensors',
      ptr.length,
    );
    expect(r.problems).toEqual([]);
    expect(r.lfsPointer).toEqual({ oid, size: 16060522704 });
  });
});

describe('deriveShapes', () => {
  it('counts experts, MoE and dense intermediate sizes (first dense layer, expert 0)', () => {
    const t: SafetensorsTensor[] = [
      { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [129280, 7168] },
    ];
    t.push({ name: 'model.layers.0.mlp.gate_proj.weight', dtype: 'BF16', shape: [18432, 7168] });
    t.push({ name: 'model.layers.0.self_attn.k_proj.weight', dtype: 'BF16', shape: [1024, 7168] });
    for (let layer = 1; layer < 4; layer++) {
      for (let e = 0; e < 8; e++) {
        t.push({
          name: `model.layers.${layer}.mlp.experts.${e}.gate_proj.weight`,
          dtype: 'BF16',
          shape: [2048, 7168],
        });
      }
      t.push({
        name: `model.layers.${layer}.mlp.shared_experts.gate_proj.weight`,
        dtype: 'BF16',
        shape: [2048, 7168],
      });
    }
    // A vision tower's layers must not count as decoder layers.
    t.push({ name: 'model.vision_tower.encoder.layers.40.mlp.fc1.weight', dtype: 'BF16', shape: [4, 4] });
    expect(deriveShapes(t)).toEqual({
      vocabSize: 129280,
      hiddenSize: 7168,
      numLayers: 4,
      numExperts: 8,
      kvWidth: 1024,
      intermediateSize: 18432,
      moeIntermediateSize: 2048,
    });
  });

  it('knows other embedding names, Mixtral experts and falls back to lm_head', () => {
    expect(
      deriveShapes([
        { name: 'transformer.wte.weight', dtype: 'F32', shape: [50257, 768] },
        { name: 'transformer.h.11.attn.c_attn.weight', dtype: 'F32', shape: [768, 2304] },
      ]),
    ).toEqual({ vocabSize: 50257, hiddenSize: 768, numLayers: 12 });
    expect(
      deriveShapes([
        { name: 'model.layers.0.block_sparse_moe.experts.7.w1.weight', dtype: 'BF16', shape: [14336, 4096] },
        { name: 'model.layers.0.block_sparse_moe.experts.0.w1.weight', dtype: 'BF16', shape: [14336, 4096] },
        { name: 'lm_head.weight', dtype: 'BF16', shape: [32000, 4096] },
      ]),
    ).toEqual({
      vocabSize: 32000,
      hiddenSize: 4096,
      numLayers: 1,
      numExperts: 8,
      moeIntermediateSize: 14336,
    });
    expect(deriveShapes([])).toEqual({});
  });
});

describe('parseSafetensorsIndex', () => {
  it('reads the weight map, shards and total size', () => {
    const text = JSON.stringify(
      {
        metadata: { total_size: 16060522496 },
        weight_map: {
          'model.embed_tokens.weight': 'model-00001-of-00002.safetensors',
          'model.layers.0.mlp.gate_proj.weight': 'model-00001-of-00002.safetensors',
          'lm_head.weight': 'model-00002-of-00002.safetensors',
        },
      },
      null,
      2,
    );
    const r = parseSafetensorsIndex('model.safetensors.index.json', text);
    expect(r.problems).toEqual([]);
    expect(r.totalSize).toBe(16060522496);
    expect(r.shards).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(r.weightMap['lm_head.weight']).toBe('model-00002-of-00002.safetensors');
  });

  it('reports malformed JSON with its line, and bad entries', () => {
    const r = parseSafetensorsIndex('i.json', '{\n  "weight_map": {\n    "a": "b.safetensors",,\n  }\n}');
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0].line).toBe(3);
    const bad = parseSafetensorsIndex(
      'i.json',
      JSON.stringify({
        metadata: { total_size: -4 },
        weight_map: { a: '../../etc/passwd', b: 3, c: 'ok.safetensors' },
      }),
    );
    expect(bad.weightMap).toEqual({ c: 'ok.safetensors' });
    expect(bad.problems.map((p) => p.message)).toEqual([
      '"metadata.total_size" is not a non-negative integer',
      '"weight_map" entry "a" does not name a shard file in this directory',
      '"weight_map" entry "b" does not name a shard file in this directory',
    ]);
    expect(parseSafetensorsIndex('i.json', '[]').problems[0].message).toMatch(/not a JSON object/);
    expect(parseSafetensorsIndex('i.json', '{}').problems[0].message).toMatch(/weight_map/);
    expect(parseSafetensorsIndex('i.json', '['.repeat(100000)).problems[0].file).toBe('i.json');
  });

  it('property: any string gives a result, never a throw', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const r = parseSafetensorsIndex('i.json', text);
        expect(Array.isArray(r.problems)).toBe(true);
        for (const s of Object.values(r.weightMap)) expect(s).not.toMatch(/[/\\]/);
      }),
      fuzzParams(),
    );
  });
});
