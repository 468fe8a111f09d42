import fc from 'fast-check';
import { fuzzParams } from './helpers/fuzz.js';
import type { ReadResult, RepoSource } from '../src/sources/source.js';
import {
  GGUF_LIMITS,
  GGUF_MAX_VOCAB,
  ggufFacts,
  hubRepoIdFromUrl,
  parseGgufHeader,
  readGgufHeader,
  type GgufHeader,
} from '../src/evidence/gguf.js';
import { buildGguf, type Value } from './helpers/model-files.js';

const TOKENS = Array.from({ length: 3000 }, (_, i) => (i < 3 ? ['<unk>', '<s>', '</s>'][i] : `tok${i}`));
function llamaKvs(): [string, Value][] {
  return [
    ['general.architecture', { t: 'string', v: 'llama' }],
    ['general.name', { t: 'string', v: 'Cool Model 8B' }],
    ['general.license', { t: 'string', v: 'llama3.1' }],
    ['general.base_model.count', { t: 'u32', v: 1 }],
    ['general.base_model.0.name', { t: 'string', v: 'Llama 3.1 8B Instruct' }],
    ['general.base_model.0.organization', { t: 'string', v: 'Meta Llama' }],
    [
      'general.base_model.0.repo_url',
      { t: 'string', v: 'https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct' },
    ],
    ['llama.block_count', { t: 'u32', v: 32 }],
    ['llama.context_length', { t: 'u32', v: 131072 }],
    ['llama.embedding_length', { t: 'u32', v: 4096 }],
    ['llama.feed_forward_length', { t: 'u32', v: 14336 }],
    ['llama.attention.head_count', { t: 'u32', v: 32 }],
    ['llama.attention.head_count_kv', { t: 'u32', v: 8 }],
    ['llama.rope.freq_base', { t: 'f32', v: 500000 }],
    ['llama.attention.layer_norm_rms_epsilon', { t: 'f32', v: 1e-5 }],
    ['general.file_type', { t: 'u32', v: 15 }],
    ['general.size', { t: 'u64', v: 2n ** 60n }],
    ['general.offset', { t: 'i64', v: -5n }],
    ['general.flag', { t: 'bool', v: true }],
    ['general.tiny', { t: 'array', elem: 'i8', v: [-1, 2] }],
    ['tokenizer.ggml.model', { t: 'string', v: 'gpt2' }],
    ['tokenizer.ggml.tokens', { t: 'array', elem: 'string', v: TOKENS }],
    ['tokenizer.ggml.scores', { t: 'array', elem: 'f32', v: TOKENS.map(() => 0) }],
    ['tokenizer.ggml.merges', { t: 'array', elem: 'string', v: ['t o', 'to k'] }],
    ['tokenizer.ggml.bos_token_id', { t: 'u32', v: 1 }],
  ];
}

class MemSource implements RepoSource {
  readonly target = { kind: 'local' as const, path: '/mem' };
  readonly calls: [number, number][] = [];
  constructor(private readonly files: Record<string, Buffer>) {}
  async list() {
    return { entries: [], notes: [] };
  }
  async read(path: string, maxBytes: number): Promise<ReadResult> {
    const f = this.files[path];
    if (!f) return { ok: false, reason: 'not found' };
    return { ok: true, data: f.subarray(0, maxBytes), truncated: f.length > maxBytes, size: f.length };
  }
  async readRange(path: string, offset: number, length: number): Promise<ReadResult> {
    this.calls.push([offset, length]);
    const f = this.files[path];
    if (!f) return { ok: false, reason: 'not found' };
    return { ok: true, data: f.subarray(offset, offset + length), truncated: false, size: f.length };
  }
}

function parsed(buf: Buffer, size = buf.length, limits = GGUF_LIMITS): GgufHeader {
  const r = parseGgufHeader('m.gguf', buf, size, limits);
  if (r.kind !== 'header') throw new Error(`need-more ${r.needBytes}`);
  return r;
}

// ---- tests ---------------------------------------------------------------------------------------

describe('parseGgufHeader', () => {
  it('reads the metadata, the tokens and every value type of a good file', () => {
    const h = parsed(buildGguf(llamaKvs(), { tail: 100 }));
    expect(h.problems).toEqual([]);
    expect(h.version).toBe(3);
    expect(h.tensorCount).toBe(291);
    expect(h.metadata['general.architecture']).toBe('llama');
    expect(h.metadata['llama.rope.freq_base']).toBe(500000);
    expect(h.metadata['general.size']).toBe(2n ** 60n);
    expect(h.metadata['general.offset']).toBe(-5);
    expect(h.metadata['general.flag']).toBe(true);
    expect(h.metadata['general.tiny']).toEqual([-1, 2]);
    expect(h.tokens).toHaveLength(3000);
    expect(h.tokens?.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', 'tok3']);
    expect(h.merges).toEqual(['t o', 'to k']);
    expect(h.metadata['tokenizer.ggml.tokens']).toBeUndefined();
    expect(h.arrayLengths['tokenizer.ggml.tokens']).toBe(3000);
    expect(h.headerBytes).toBe(buildGguf(llamaKvs()).length);
  });

  it('leaves long non-token arrays out of metadata but records their length', () => {
    const h = parsed(buildGguf(llamaKvs()), undefined, { ...GGUF_LIMITS, maxMetadataArray: 100 });
    expect(h.metadata['tokenizer.ggml.scores']).toBeUndefined();
    expect(h.arrayLengths['tokenizer.ggml.scores']).toBe(3000);
    expect(h.tokens).toHaveLength(3000);
  });

  it('asks for more bytes when the buffer ends inside the header', () => {
    const buf = buildGguf(llamaKvs(), { tail: 1000 });
    const r = parseGgufHeader('m.gguf', buf.subarray(0, 100), buf.length);
    expect(r.kind).toBe('need-more');
    if (r.kind === 'need-more') expect(r.needBytes).toBeGreaterThan(100);
  });

  it('does not keep a token list over the vocabulary bound, and says so', () => {
    const n = GGUF_MAX_VOCAB + 1;
    const buf = buildGguf([
      ['general.architecture', { t: 'string', v: 'llama' }],
      ['tokenizer.ggml.tokens', { t: 'array', elem: 'string', v: Array.from({ length: n }, () => 'a') }],
    ]);
    const h = parsed(buf);
    expect(h.tokens).toBeUndefined();
    expect(h.arrayLengths['tokenizer.ggml.tokens']).toBe(n);
    expect(h.metadata['general.architecture']).toBe('llama');
    expect(h.problems).toEqual([
      {
        file: 'm.gguf',
        message: `"tokenizer.ggml.tokens" has ${n} entries, over the ${GGUF_MAX_VOCAB}-entry bound; not read as a vocabulary`,
      },
    ]);
  });

  it('rejects an absurd kv_count without reading further', () => {
    const h = parsed(buildGguf([], { kvCount: 2n ** 40n }), 40e9);
    expect(h.problems).toEqual([
      { file: 'm.gguf', message: 'GGUF: kv_count 1099511627776 exceeds the bound of 100000' },
    ]);
    const h2 = parsed(buildGguf([], { kvCount: 50_000n }));
    expect(h2.problems[0].message).toMatch(/kv_count 50000 is more than the rest of the file can hold/);
    const h3 = parsed(buildGguf([], { tensorCount: 2n ** 63n }));
    expect(h3.problems[0].message).toMatch(/tensor_count 9223372036854775808 exceeds/);
  });

  it('rejects a string length of 2^40', () => {
    const good = buildGguf([['general.name', { t: 'string', v: 'x' }]]);
    const bad = Buffer.from(good);
    const lenAt = 24 + 8 + 'general.name'.length + 4;
    bad.writeBigUInt64LE(2n ** 40n, lenAt);
    const h = parsed(bad, 40e9);
    expect(h.problems[0].message).toMatch(
      /value of "general.name" length 1099511627776 exceeds the bound of 1048576/,
    );
    const keyBad = Buffer.from(good);
    keyBad.writeBigUInt64LE(2n ** 40n, 24);
    expect(parsed(keyBad, 40e9).problems[0].message).toMatch(/key of pair 0 length 1099511627776 exceeds/);
  });

  it('rejects a lying string length or array count that runs past the file', () => {
    const good = buildGguf([['general.name', { t: 'string', v: 'x' }]]);
    const bad = Buffer.from(good);
    bad.writeBigUInt64LE(1000n, 24 + 8 + 12 + 4);
    expect(parsed(bad).problems[0].message).toMatch(
      /truncated header: .* length 1000 at offset \d+ runs past the end of the file/,
    );
    const arr = buildGguf([['a', { t: 'array', elem: 'u32', v: [1, 2] }]]);
    arr.writeBigUInt64LE(9_000_000n, 24 + 8 + 1 + 4 + 4);
    expect(parsed(arr).problems[0].message).toMatch(/claims 9000000 u32 elements/);
    arr.writeBigUInt64LE(2n ** 50n, 24 + 8 + 1 + 4 + 4);
    expect(parsed(arr).problems[0].message).toMatch(
      /element count 1125899906842624 exceeds the bound of 10000000/,
    );
  });

  it('reports a truncated header and keeps the pairs read before it', () => {
    const buf = buildGguf(llamaKvs());
    const cut = buf.subarray(0, 600);
    const h = parsed(cut);
    expect(h.problems).toHaveLength(1);
    expect(h.problems[0].message).toMatch(/^GGUF: truncated header: .*\b600\b/);
    expect(h.metadata['general.architecture']).toBe('llama');
    expect(h.tokens).toBeUndefined();
  });

  it('rejects a wrong magic, an LFS pointer, a tiny file, and unsupported versions', () => {
    expect(parsed(buildGguf([], { magic: 'GGML' })).problems[0].message).toBe(
      'GGUF: not a GGUF file: magic is "GGML", expected "GGUF"',
    );
    const ptr = Buffer.from(
      `version https://git-lfs.github.com/spec/v1\noid sha256:${'a'.repeat(64)}\nsize 1\n`,
    );
    expect(parsed(ptr).problems[0].message).toMatch(/Git LFS pointer/);
    expect(parsed(Buffer.from('GG')).problems[0].message).toMatch(/too small/);
    expect(parsed(buildGguf([], { version: 1 })).problems[0].message).toMatch(/unsupported GGUF version 1/);
    expect(parsed(buildGguf([], { version: 0x03000000 })).problems[0].message).toMatch(/big-endian/);
    expect(parsed(buildGguf([], { version: 2 })).version).toBe(2);
  });

  it('rejects unknown value types and reports duplicate keys', () => {
    const buf = buildGguf([['a', { t: 'u8', v: 1 }]]);
    buf.writeUInt32LE(13, 24 + 8 + 1);
    expect(parsed(buf).problems[0].message).toBe('GGUF: value of "a" has unknown value type 13');
    const dup = parsed(
      buildGguf([
        ['general.architecture', { t: 'string', v: 'llama' }],
        ['general.architecture', { t: 'string', v: 'qwen2' }],
      ]),
    );
    expect(dup.metadata['general.architecture']).toBe('llama');
    expect(dup.problems[0].message).toMatch(/duplicate GGUF key "general.architecture"/);
  });

  it('stops at the header bound', () => {
    const buf = buildGguf(llamaKvs());
    const h = parsed(buf, buf.length, { ...GGUF_LIMITS, maxHeaderBytes: 4096 });
    expect(h.problems[0].message).toMatch(/header exceeds the 4096-byte bound/);
  });

  it('property: any bytes give a header or a bounded need-more, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat({ max: 2000 }), (bytes, extra) => {
        const buf = Buffer.concat([Buffer.from('GGUF\x03\x00\x00\x00', 'latin1'), Buffer.from(bytes)]);
        const size = buf.length + extra;
        const r = parseGgufHeader('f.gguf', buf, size);
        if (r.kind === 'need-more') {
          expect(r.needBytes).toBeGreaterThan(buf.length);
          expect(r.needBytes).toBeLessThanOrEqual(size);
        } else {
          for (const p of r.problems) expect(p.file).toBe('f.gguf');
        }
      }),
      fuzzParams(),
    );
  });

  it('property: a good file with corrupted bytes never throws', () => {
    const good = buildGguf(llamaKvs().slice(0, 12));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: good.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          maxLength: 8,
        }),
        (edits) => {
          const buf = Buffer.from(good);
          for (const [i, b] of edits) buf[i] = b;
          const r = parseGgufHeader('f.gguf', buf, buf.length);
          expect(r.kind).toBe('header');
          expect(() => ggufFacts((r as GgufHeader).metadata)).not.toThrow();
        },
      ),
      fuzzParams(),
    );
  });
});

describe('readGgufHeader', () => {
  it('reads only the header of a huge file, growing its reads from the first chunk', async () => {
    const buf = buildGguf(llamaKvs(), { tail: 4096 });
    const src = new MemSource({ 'm.gguf': buf });
    const limits = { ...GGUF_LIMITS, initialChunk: 1024 };
    // The listing says 40 GB; the reader must never ask beyond the header.
    const h = await readGgufHeader(src, 'm.gguf', 40e9, limits);
    expect(h.problems).toEqual([]);
    expect(h.tokens).toHaveLength(3000);
    expect(src.calls[0]).toEqual([0, 1024]);
    const furthest = Math.max(...src.calls.map(([o, l]) => o + l));
    expect(furthest).toBeLessThan(2 * h.headerBytes + 1024);
    // Each read continues where the last stopped.
    for (let i = 1; i < src.calls.length; i++) {
      expect(src.calls[i][0]).toBe(src.calls[i - 1][0] + src.calls[i - 1][1]);
    }
  });

  it('reads a 200k-token vocabulary from a multi-MiB header quickly', async () => {
    const tokens = Array.from({ length: 200_000 }, (_, i) => `\u0120token_${i}`);
    const buf = buildGguf([
      ['general.architecture', { t: 'string', v: 'llama' }],
      ['tokenizer.ggml.tokens', { t: 'array', elem: 'string', v: tokens }],
      ['tokenizer.ggml.token_type', { t: 'array', elem: 'i32', v: tokens.map(() => 1) }],
      ['llama.vocab_size', { t: 'u32', v: 200_000 }],
    ]);
    expect(buf.length).toBeGreaterThan(3 * 1024 * 1024);
    const src = new MemSource({ 'm.gguf': buf });
    const start = performance.now();
    const h = await readGgufHeader(src, 'm.gguf', 40e9);
    expect(performance.now() - start).toBeLessThan(3000);
    expect(h.problems).toEqual([]);
    expect(h.tokens?.[199_999]).toBe('\u0120token_199999');
    expect(h.metadata['tokenizer.ggml.token_type']).toBeUndefined();
    expect(h.metadata['llama.vocab_size']).toBe(200_000);
    expect(src.calls.map(([, l]) => l)[0]).toBe(1024 * 1024);
  });

  it('reports absurd counts after the first read only', async () => {
    const src = new MemSource({ 'm.gguf': buildGguf([], { kvCount: 2n ** 40n, tail: 5000 }) });
    const h = await readGgufHeader(src, 'm.gguf', 40e9, { ...GGUF_LIMITS, initialChunk: 64 });
    expect(h.problems[0].message).toMatch(/kv_count/);
    expect(src.calls).toEqual([[0, 64]]);
  });

  it('reports a file shorter than listed as truncated', async () => {
    const buf = buildGguf(llamaKvs());
    const src = new MemSource({ 'm.gguf': buf.subarray(0, 500) });
    const h = await readGgufHeader(src, 'm.gguf', 40e9, { ...GGUF_LIMITS, initialChunk: 256 });
    expect(h.problems[0].message).toMatch(/truncated header/);
  });

  it('turns a Git LFS pointer into evidence and an unreadable file into a problem', async () => {
    const ptr = Buffer.from(
      `version https://git-lfs.github.com/spec/v1\noid sha256:${'b'.repeat(64)}\nsize 4920739232\n`,
    );
    const h = await readGgufHeader(new MemSource({ 'p.gguf': ptr }), 'p.gguf', ptr.length);
    expect(h.lfsPointer).toEqual({ oid: 'b'.repeat(64), size: 4920739232 });
    expect(h.problems).toEqual([]);
    const missing = await readGgufHeader(new MemSource({}), 'x.gguf', 5000);
    expect(missing.problems).toEqual([{ file: 'x.gguf', message: 'cannot read the GGUF header: not found' }]);
  });

  it('property: any file content and listed size give a result, never a throw', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 10_000 }), async (bytes, size) => {
        const src = new MemSource({ 'f.gguf': Buffer.concat([Buffer.from('GGUF'), Buffer.from(bytes)]) });
        const h = await readGgufHeader(src, 'f.gguf', size, { ...GGUF_LIMITS, initialChunk: 16 });
        expect(h.kind).toBe('header');
      }),
      fuzzParams(),
    );
  });
});

describe('ggufFacts', () => {
  it('maps metadata to lineage facts and HF config names', () => {
    const h = parsed(buildGguf(llamaKvs()));
    const f = ggufFacts(h.metadata, h.tokens?.length);
    expect(f).toEqual({
      architecture: 'llama',
      name: 'Cool Model 8B',
      license: 'llama3.1',
      baseModels: [
        {
          name: 'Llama 3.1 8B Instruct',
          organization: 'Meta Llama',
          repoUrl: 'https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct',
          repoId: 'meta-llama/Llama-3.1-8B-Instruct',
        },
      ],
      config: {
        hidden_size: 4096,
        num_hidden_layers: 32,
        intermediate_size: 14336,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        rope_theta: 500000,
        max_position_embeddings: 131072,
        vocab_size: 3000,
      },
    });
  });

  it('prefers <arch>.vocab_size, reads MoE keys and uniform per-layer arrays', () => {
    const f = ggufFacts({
      'general.architecture': 'qwen3moe',
      'qwen3moe.vocab_size': 151936,
      'qwen3moe.expert_count': 128,
      'qwen3moe.expert_used_count': 8,
      'qwen3moe.expert_feed_forward_length': 768,
      'qwen3moe.attention.head_count_kv': [4, 4, 4],
      'qwen3moe.feed_forward_length': [1, 2],
      'general.base_model.count': 2n ** 60n,
    });
    expect(f.config).toEqual({
      vocab_size: 151936,
      num_local_experts: 128,
      num_experts_per_tok: 8,
      moe_intermediate_size: 768,
      num_key_value_heads: 4,
    });
    expect(f.baseModels).toEqual([]);
    expect(ggufFacts({})).toEqual({
      architecture: null,
      name: null,
      license: null,
      baseModels: [],
      config: {},
    });
  });

  it('bounds the base model count', () => {
    const f = ggufFacts({ 'general.base_model.count': 1e9, 'general.base_model.3.name': 'x' });
    expect(f.baseModels).toEqual([{ name: 'x' }]);
  });

  it('derives Hub ids from repo URLs only', () => {
    expect(hubRepoIdFromUrl('https://huggingface.co/Qwen/Qwen2.5-7B')).toBe('Qwen/Qwen2.5-7B');
    expect(hubRepoIdFromUrl('https://huggingface.co/Qwen/Qwen2.5-7B/tree/main')).toBe('Qwen/Qwen2.5-7B');
    expect(hubRepoIdFromUrl('https://huggingface.co/datasets/a/b')).toBeUndefined();
    expect(hubRepoIdFromUrl('https://github.com/a/b')).toBeUndefined();
    expect(hubRepoIdFromUrl('not a url')).toBeUndefined();
  });
});
