// Property tests for every evidence parser: random bytes, structured-but-wrong JSON/YAML and mutated
// valid files must give a result or problems naming the file, never an escaped exception. Where a
// valid input can be generated, the parse is also checked against what was generated (an oracle),
// so the properties fail on wrong answers, not only on throws. Run counts: fuzzParams().
import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import { stringify as yamlStringify } from 'yaml';
import { parseAdapterConfig } from '../src/evidence/adapter.js';
import { parseCard } from '../src/evidence/card.js';
import { MAX_CONFIG_STRING, parseConfig } from '../src/evidence/config.js';
import { parseGgufHeader } from '../src/evidence/gguf.js';
import { lineStarts, positionAt } from '../src/evidence/json-positions.js';
import { parseLfsPointer } from '../src/evidence/lfs.js';
import { extractMergekitFromCard, parseMergekitConfig } from '../src/evidence/mergekit.js';
import { jsonTooDeepAt, yamlTooDeepAt } from '../src/evidence/nesting.js';
import { parseSafetensorsHeader, parseSafetensorsIndex } from '../src/evidence/safetensors.js';
import { decodeText, isLicenseLikeName, normalizeForMatch } from '../src/evidence/texts.js';
import {
  parseSentencePieceModel,
  parseSpecialTokensMap,
  parseTokenizerConfig,
  parseTokenizerJson,
  parseTokenList,
  parseVocabJson,
} from '../src/evidence/tokenizer.js';
import type { Problem } from '../src/types.js';
import { fuzzParams } from './helpers/fuzz.js';
import { sentencePiece } from './helpers/model-files.js';

// ---------------------------------------------------------------------------------------------
// Shared arbitraries and checks

/** Every problem names `file`, says something, and points at a real line when it gives one. */
function expectProblems(problems: Problem[], file: string, lines = Infinity): void {
  for (const p of problems) {
    expect(p.file).toBe(file);
    expect(typeof p.message).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
    if (p.line !== undefined) {
      expect(Number.isInteger(p.line)).toBe(true);
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.line).toBeLessThanOrEqual(lines);
    }
  }
}

const lineCount = (text: string): number => lineStarts(text).length;

/** Tokens that matter to JSON and YAML parsers, to splice into otherwise valid files. */
const SIGNIFICANT = [
  '{', '}', '[', ']', '"', "'", ',', ':', '\\', '\n', '\r', '\t', ' ', '-', '- ', '? ', '&a ', '*a',
  '!!binary ', '!!js/function ', '<<: *a', '|', '>', '#', '%YAML 1.1\n', '---\n', '...\n', '\u0000',
  '\ud800', '\u202e', '\ufeff', '1e999', '-0', 'null', 'true', '__proto__', 'constructor', '\\u0000',
]; // prettier-ignore

type Edit = {
  kind: 'delete' | 'insert' | 'replace' | 'duplicate' | 'truncate';
  at: number;
  len: number;
  text: string;
};

const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'replace', 'duplicate', 'truncate'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 40 }),
  text: fc.oneof(fc.constantFrom(...SIGNIFICANT), fc.string({ maxLength: 6 })),
});
const editsArb = fc.array(editArb, { minLength: 1, maxLength: 6 });

/** Applies edits to a string (positions taken modulo its length). */
function mutate(s: string, edits: Edit[]): string {
  for (const e of edits) {
    const at = s.length === 0 ? 0 : e.at % (s.length + 1);
    if (e.kind === 'delete') s = s.slice(0, at) + s.slice(at + e.len);
    else if (e.kind === 'insert') s = s.slice(0, at) + e.text + s.slice(at);
    else if (e.kind === 'replace') s = s.slice(0, at) + e.text + s.slice(at + e.text.length);
    else if (e.kind === 'duplicate')
      s = s.slice(0, at + e.len) + s.slice(at, at + e.len) + s.slice(at + e.len);
    else s = s.slice(0, at);
  }
  return s;
}

type ByteEdit = {
  kind: 'delete' | 'insert' | 'flip' | 'truncate';
  at: number;
  len: number;
  bytes: Uint8Array;
};

const byteEditsArb: fc.Arbitrary<ByteEdit[]> = fc.array(
  fc.record({
    kind: fc.constantFrom('delete', 'insert', 'flip', 'truncate'),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 16 }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }),
  }),
  { minLength: 1, maxLength: 6 },
);

/** Applies byte edits: the interesting ones for binary headers are flipped length fields. */
function mutateBytes(buf: Buffer, edits: ByteEdit[]): Buffer {
  let b = Buffer.from(buf);
  for (const e of edits) {
    const at = b.length === 0 ? 0 : e.at % (b.length + 1);
    if (e.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.len)]);
    else if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), e.bytes, b.subarray(at)]);
    else if (e.kind === 'flip') {
      for (let i = 0; i < e.bytes.length && at + i < b.length; i++) b[at + i] ^= e.bytes[i];
    } else b = b.subarray(0, at);
  }
  return b;
}

/** Any text a repo file may decode to: random code points, JSON-ish, YAML-ish. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc
    .array(fc.oneof(fc.constantFrom(...SIGNIFICANT), fc.string({ maxLength: 4 })), { maxLength: 80 })
    .map((a) => a.join('')),
  fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v) ?? 'null'),
);

const key = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });

// ---------------------------------------------------------------------------------------------
// config.json

describe('property: parseConfig', () => {
  test('any text gives a config or problems naming the file, with real lines', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const r = parseConfig('m/config.json', text);
        expectProblems(r.problems, 'm/config.json', lineCount(text));
        if (r.config === null) expect(r.problems.length).toBeGreaterThan(0);
        else expect(r.config.file).toBe('m/config.json');
      }),
      fuzzParams(),
    );
  });

  const configArb = fc.record({
    architectures: fc.array(fc.string({ unit: 'binary', maxLength: 30 }), { maxLength: 3 }),
    model_type: fc.string({ unit: 'binary', maxLength: 30 }),
    hidden_size: fc.integer({ min: 1, max: 1 << 20 }),
    vocab_size: fc.integer({ min: 1, max: 1 << 20 }),
    text_config: fc.option(fc.record({ hidden_size: fc.integer({ min: 1, max: 1 << 20 }) }), {
      nil: undefined,
    }),
    extra: fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
  });

  test('a generated config reads back exactly, each field on the line of its key', () => {
    fc.assert(
      fc.property(configArb, fc.constantFrom(0, 1, 2, '\t'), (c, indent) => {
        const { extra, ...known } = c;
        // Known keys last, so random extras named like them cannot shadow them.
        const obj = { ...extra, ...known };
        const text = JSON.stringify(obj, null, indent);
        const r = parseConfig('config.json', text);
        expect(r.problems).toEqual([]);
        expect(r.config?.architectures?.value).toEqual(c.architectures);
        expect(r.config?.modelType?.value).toBe(c.model_type);
        const hidden = r.config!.fields.hidden_size;
        expect(hidden.value).toBe(c.text_config?.hidden_size ?? c.hidden_size);
        expect(r.config!.fields.vocab_size.value).toBe(c.vocab_size);
        const lines = text.split('\n');
        expect(lines[hidden.line - 1]).toContain('"hidden_size"');
      }),
      fuzzParams(),
    );
  });

  test('mutated valid configs give a config or problems, never a throw', () => {
    fc.assert(
      fc.property(configArb, editsArb, (c, edits) => {
        const text = mutate(JSON.stringify({ ...c.extra, ...c }, null, 2), edits);
        const r = parseConfig('config.json', text);
        expectProblems(r.problems, 'config.json', lineCount(text));
        if (r.config === null) expect(r.problems.length).toBeGreaterThan(0);
      }),
      fuzzParams(),
    );
  });

  test('an over-long _name_or_path is refused with a problem on its line', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MAX_CONFIG_STRING + 1, max: MAX_CONFIG_STRING * 4 }),
        fc.constantFrom('/', 'a-', '\\'),
        (n, unit) => {
          const value = unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
          const r = parseConfig(
            'config.json',
            JSON.stringify({ model_type: 'x', _name_or_path: value }, null, 1),
          );
          expect(r.config?.nameOrPath).toBeNull();
          expect(r.problems).toEqual([
            {
              file: 'config.json',
              line: 3,
              message: `config.json "_name_or_path" is ${JSON.parse(JSON.stringify(value)).length} characters long, over the ${MAX_CONFIG_STRING}-character bound; ignored`,
            },
          ]);
        },
      ),
      fuzzParams(0.1),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Model card front matter

describe('property: parseCard', () => {
  test('any text gives a card, and problems name the file and a real line', () => {
    fc.assert(
      fc.property(anyText, fc.boolean(), (text, fenced) => {
        const src = fenced ? `---\n${text}\n---\nbody\n` : text;
        const r = parseCard('README.md', src);
        expect(r.card.file).toBe('README.md');
        expectProblems(r.problems, 'README.md', lineCount(src));
        for (const b of r.card.baseModels) expect(b.line).toBeLessThanOrEqual(lineCount(src));
      }),
      fuzzParams(),
    );
  });

  /** A non-empty single-line string without surrounding blanks (what the card keeps after trimming). */
  const value = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 40 })
    .map((s) => s.replace(/[\r\n\u0085\u2028\u2029]/g, ' ').trim())
    .filter((s) => s.length > 0);

  const cardArb = fc.record({
    license: value,
    base_model: fc.array(value, { minLength: 1, maxLength: 4 }),
    extra: fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
  });

  test('a generated front matter reads back exactly', () => {
    fc.assert(
      fc.property(cardArb, fc.string({ maxLength: 80 }), (c, body) => {
        const { extra, ...known } = c;
        const yaml = yamlStringify({ ...extra, ...known });
        const text = `---\n${yaml}---\n${body}`;
        const r = parseCard('README.md', text);
        expect(r.problems).toEqual([]);
        expect(r.card.hasFrontMatter).toBe(true);
        expect(r.card.license?.value).toBe(c.license);
        expect(r.card.baseModels.map((b) => b.value)).toEqual(c.base_model);
        const frontLines = lineCount(`---\n${yaml}`);
        expect(r.card.license!.line).toBeGreaterThanOrEqual(2);
        expect(r.card.license!.line).toBeLessThanOrEqual(frontLines);
        expect(r.card.body).toBe(body);
      }),
      fuzzParams(),
    );
  });

  test('mutated front matter (anchors, aliases, tags, merges) gives a card, never a throw', () => {
    fc.assert(
      fc.property(cardArb, editsArb, (c, edits) => {
        const text = mutate(`---\n${yamlStringify({ ...c.extra, ...c })}---\n# Title\n`, edits);
        const r = parseCard('README.md', text);
        expectProblems(r.problems, 'README.md', lineCount(text));
      }),
      fuzzParams(),
    );
  });

  test('alias chains are bounded: expansion past the budget is a problem, not memory', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 3, max: 12 }), (depth, width) => {
        const lines = ['---', `a0: &a0 [${Array(width).fill('x').join(', ')}]`];
        for (let i = 1; i <= depth; i++)
          lines.push(
            `a${i}: &a${i} [${Array(width)
              .fill(`*a${i - 1}`)
              .join(', ')}]`,
          );
        lines.push('license: mit', '---', '');
        const r = parseCard('README.md', lines.join('\n'));
        // width^depth alias expansions: anything past 100 aliases is refused.
        const aliases = width * depth;
        if (aliases > 100) {
          expect(r.problems).toHaveLength(1);
          expect(r.problems[0].message).toMatch(/^README\.md front matter cannot be read: .*alias/i);
          expect(r.card.license).toBeNull();
        }
        expectProblems(r.problems, 'README.md');
      }),
      fuzzParams(0.25),
    );
  });

  test('the title search stays linear on long runs of blanks and #', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(' ', '\t', '#', ' #'),
        fc.integer({ min: 20_000, max: 60_000 }),
        (unit, n) => {
          const started = Date.now();
          const r = parseCard('README.md', `# a${unit.repeat(n)}x\n`);
          expect(Date.now() - started).toBeLessThan(1000);
          expect(r.card.title).toBeNull(); // longer than a title can be
        },
      ),
      fuzzParams(0.05),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// License text decoding and matching

describe('property: license texts', () => {
  test('any bytes decode to text or a problem naming the file', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }),
        fc.boolean(),
        fc.constantFrom('LICENSE', 'NOTICE.md', 'config.json', 'm/README.md'),
        (bytes, truncated, file) => {
          const r = decodeText(file, Buffer.from(bytes), truncated);
          expectProblems(r.problems, file);
          expect((r.text === null) !== (r.problems.length === 0)).toBe(true);
          if (r.text) {
            expect(r.text.file).toBe(file);
            expect(r.text.truncated).toBe(truncated);
          }
        },
      ),
      fuzzParams(),
    );
  });

  test('valid UTF-8 without NUL decodes exactly; JSON names refuse invalid UTF-8', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.uint8Array({ maxLength: 8 }),
        (s, junk) => {
          const text = s.replace(/\0/g, '').replace(/^\ufeff/, '');
          expect(decodeText('LICENSE', Buffer.from(text, 'utf8'), false).text?.text).toBe(text);
          const bytes = Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from(junk)]);
          const bom16 = bytes[0] === 0xff || bytes[0] === 0xfe;
          if (bom16 || bytes.includes(0)) return;
          const json = decodeText('config.json', bytes, false);
          if (isUtf8(bytes)) expect(json.text?.text).toBe(bytes.toString('utf8').replace(/^\ufeff/, ''));
          else
            expect(json.problems).toEqual([
              {
                file: 'config.json',
                message: 'config.json is not valid UTF-8, which JSON requires; not read',
              },
            ]);
        },
      ),
      fuzzParams(),
    );
  });

  test('normalizeForMatch is total and yields lower-case, single-spaced, trimmed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const n = normalizeForMatch(s);
        expect(n).toBe(n.trim());
        expect(n).not.toMatch(/\s\s|[*_`\u00a9\u2018\u2019\u201c\u201d]/);
        expect(typeof isLicenseLikeName(s)).toBe('boolean');
      }),
      fuzzParams(),
    );
  });

  test('a phrase is found in any text that embeds it between whitespace', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ maxLength: 60 }),
        (a, p, b) => {
          const text = `${a}\n${p}\n${b}`;
          expect(normalizeForMatch(text)).toContain(normalizeForMatch(p));
        },
      ),
      fuzzParams(),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Offsets, lines and nesting checks shared by the JSON and YAML parsers

describe('property: positions and nesting', () => {
  test('positionAt agrees with a naive line/column count', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 200 }).map((s) => s.replace(/\r(?!\n)/g, '\n')),
        fc.nat(),
        (text, n) => {
          const offset = text.length === 0 ? 0 : n % text.length;
          const before = text.slice(0, offset);
          const line = before.split(/\r\n|\n/).length;
          const column = offset - (Math.max(before.lastIndexOf('\n'), -1) + 1) + 1;
          expect(positionAt(lineStarts(text), offset)).toEqual({ line, column });
        },
      ),
      fuzzParams(),
    );
  });

  test('jsonTooDeepAt fires exactly when a generated value nests deeper than the bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 100 }),
        fc.boolean(),
        (depth, max, objects) => {
          let v: unknown = 'x[{"]}';
          for (let i = 0; i < depth; i++) v = objects && i % 2 ? { k: v } : [v];
          const text = JSON.stringify(v);
          expect(jsonTooDeepAt(text, max) >= 0).toBe(depth > max);
        },
      ),
      fuzzParams(),
    );
  });

  test('yamlTooDeepAt never throws and fires on deep flow nesting', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 1, max: 64 }), (text, max) => {
        const at = yamlTooDeepAt(text, max);
        expect(at).toBeGreaterThanOrEqual(-1);
        expect(yamlTooDeepAt(`${'['.repeat(max + 1)}`, max)).toBe(0);
      }),
      fuzzParams(),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Tokenizer files

/** A vocabulary of distinct tokens with distinct ids. */
const vocabArb = fc
  .uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 40 })
  .chain((tokens) =>
    fc
      .uniqueArray(fc.nat({ max: 1000 }), { minLength: tokens.length, maxLength: tokens.length })
      .map((ids) => tokens.map((t, i) => [t, ids[i]] as [string, number])),
  );

describe('property: tokenizer parsers', () => {
  test('any text gives a tokenizer or problems for every JSON tokenizer file', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const tj = parseTokenizerJson('tokenizer.json', text);
        expectProblems(tj.problems, 'tokenizer.json', lineCount(text));
        if (tj.tokenizer === null) expect(tj.problems.length).toBeGreaterThan(0);
        const vj = parseVocabJson('vocab.json', text, text);
        expectProblems(vj.problems, 'vocab.json', lineCount(text));
        if (vj.tokenizer === null) expect(vj.problems.length).toBeGreaterThan(0);
        const tc = parseTokenizerConfig('tokenizer_config.json', text);
        expectProblems(tc.problems, 'tokenizer_config.json', lineCount(text));
        if (tc.config === null) expect(tc.problems.length).toBeGreaterThan(0);
        const sm = parseSpecialTokensMap('special_tokens_map.json', text);
        expectProblems(sm.problems, 'special_tokens_map.json', lineCount(text));
        if (sm.config === null) expect(sm.problems.length).toBeGreaterThan(0);
      }),
      fuzzParams(),
    );
  });

  test('a generated tokenizer.json reads back every token at its id (fast scanner and JSON agree)', () => {
    fc.assert(
      fc.property(vocabArb, fc.constantFrom(0, 2), fc.nat({ max: 5 }), (vocab, indent, merges) => {
        const obj = {
          version: '1.0',
          added_tokens: [{ id: 5000, content: '<|x|>', special: true }],
          model: {
            type: 'BPE',
            vocab: Object.fromEntries(vocab),
            merges: Array.from({ length: merges }, (_, i) => `a b${i}`),
          },
        };
        const text = JSON.stringify(obj, null, indent);
        const r = parseTokenizerJson('tokenizer.json', text);
        expect(r.problems).toEqual([]);
        expect(r.tokenizer?.vocabSize).toBe(vocab.length);
        for (const [t, id] of vocab) expect(r.tokenizer?.tokens.at(id)).toBe(t);
        expect(r.tokenizer?.merges).toBe(merges);
        expect(r.tokenizer?.added).toEqual([{ id: 5000, content: '<|x|>', special: true }]);
        // vocab.json of the same vocabulary gives the same tokens.
        const v = parseVocabJson('vocab.json', JSON.stringify(Object.fromEntries(vocab)));
        expect(v.tokenizer?.tokens.toArray()).toEqual(r.tokenizer?.tokens.toArray());
        // The byte-span vocabulary hashes exactly as the decoded strings do (escapes included).
        expect(r.tokenizer?.tokens.sha256()).toBe(v.tokenizer?.tokens.sha256());
      }),
      fuzzParams(),
    );
  });

  test('mutated tokenizer.json and tokenizer_config.json give a result or problems', () => {
    fc.assert(
      fc.property(vocabArb, editsArb, (vocab, edits) => {
        const tok = JSON.stringify({
          model: { type: 'BPE', vocab: Object.fromEntries(vocab), merges: ['a b'] },
        });
        const text = mutate(tok, edits);
        const r = parseTokenizerJson('tokenizer.json', text);
        expectProblems(r.problems, 'tokenizer.json', lineCount(text));
        if (r.tokenizer === null) expect(r.problems.length).toBeGreaterThan(0);
        // Object.values skips holes: a mutated id may make the array millions long.
        else
          expect(Object.values(r.tokenizer.tokens.toArray()).every((t) => typeof t === 'string')).toBe(true);
        const cfg = JSON.stringify({
          added_tokens_decoder: Object.fromEntries(
            vocab.map(([t, id]) => [String(id), { content: t, special: true }]),
          ),
          bos_token: vocab[0][0],
          chat_template: [{ name: 'default', template: '{{ x }}' }],
        });
        const c = parseTokenizerConfig('tokenizer_config.json', mutate(cfg, edits));
        expectProblems(c.problems, 'tokenizer_config.json');
        if (c.config === null) expect(c.problems.length).toBeGreaterThan(0);
      }),
      fuzzParams(),
    );
  });

  /** A SentencePiece ModelProto with the given pieces. */
  const spModel = (pieces: [string, number][]): Buffer =>
    Buffer.from(pieces.flatMap(([piece, type]) => sentencePiece(piece, type)));
  const piecesArb = fc.array(
    fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), fc.constantFrom(1, 2, 3, 4, 5, 6)),
    { minLength: 1, maxLength: 30 },
  );

  test('a generated SentencePiece model reads back; any bytes still give a hash', () => {
    fc.assert(
      fc.property(piecesArb, byteEditsArb, (pieces, edits) => {
        const model = spModel(pieces);
        const ok = parseSentencePieceModel('tokenizer.model', model);
        expect(ok.problems).toEqual([]);
        expect(ok.tokenizer?.tokens.toArray()).toEqual(pieces.map(([p]) => p));
        expect(ok.tokenizer?.added.map((a) => a.id)).toEqual(
          pieces.flatMap(([, t], i) => (t === 2 || t === 3 ? [i] : [])),
        );
        const bad = parseSentencePieceModel('tokenizer.model', mutateBytes(model, edits));
        expect(bad.tokenizer?.fileSha256).toMatch(/^[0-9a-f]{64}$/);
        expectProblems(bad.problems, 'tokenizer.model');
      }),
      fuzzParams(),
    );
  });

  test('a GGUF-style token list of any values gives a tokenizer or problems', () => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 30 }), fc.anything(), (list, types) => {
        const r = parseTokenList('m.gguf', list, types);
        expectProblems(r.problems, 'm.gguf');
        if (r.tokenizer === null) expect(r.problems.length).toBeGreaterThan(0);
        else expect(r.tokenizer.vocabSize).toBe(list.filter((t) => typeof t === 'string').length);
      }),
      fuzzParams(),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// safetensors header and shard index

const DTYPES: [string, number][] = [['F16', 2], ['BF16', 2], ['F32', 4], ['I8', 1], ['F64', 8]]; // prettier-ignore

const tensorsArb = fc.uniqueArray(
  fc.record({
    name: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).filter((n) => n !== '__metadata__'),
    dtype: fc.constantFrom(...DTYPES),
    shape: fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
  }),
  { selector: (t) => t.name, maxLength: 12 },
);

/** A safetensors file for the tensors: consistent offsets, zero-filled data. */
function safetensors(tensors: { name: string; dtype: [string, number]; shape: number[] }[]): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * t.dtype[1];
    // defineProperty: a tensor may be named __proto__, which plain assignment would swallow.
    Object.defineProperty(header, t.name, {
      value: { dtype: t.dtype[0], shape: t.shape, data_offsets: [offset, offset + bytes] },
      enumerable: true,
    });
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.alloc(offset)]);
}

describe('property: safetensors', () => {
  test('a generated header reads back every tensor', () => {
    fc.assert(
      fc.property(tensorsArb, (tensors) => {
        const buf = safetensors(tensors);
        const r = parseSafetensorsHeader('m.safetensors', buf, buf.length);
        expect(r.kind).toBe('header');
        if (r.kind !== 'header') return;
        expect(r.problems).toEqual([]);
        expect(r.metadata).toEqual({ format: 'pt' });
        expect(r.tensors).toEqual(tensors.map((t) => ({ name: t.name, dtype: t.dtype[0], shape: t.shape })));
      }),
      fuzzParams(),
    );
  });

  test('mutated files (flipped length bytes included) give a header with problems, never a throw', () => {
    fc.assert(
      fc.property(
        tensorsArb,
        byteEditsArb,
        fc.integer({ min: -16, max: 1 << 20 }),
        (tensors, edits, sizeDelta) => {
          const buf = mutateBytes(safetensors(tensors), edits);
          const size = Math.max(0, buf.length + sizeDelta);
          const r = parseSafetensorsHeader('m.safetensors', buf, size);
          if (r.kind === 'need-more') {
            expect(r.needBytes).toBeGreaterThan(buf.length);
            expect(r.needBytes).toBeLessThanOrEqual(size);
          } else {
            expectProblems(r.problems, 'm.safetensors');
            expect(r.headerLength).toBeLessThanOrEqual(Math.max(0, size - 8));
          }
        },
      ),
      fuzzParams(),
    );
  });

  test('shard index: generated maps read back; any JSON gives a result with problems', () => {
    const shard = fc
      .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 })
      .filter((s) => /^[^/\\\0]+$/.test(s) && s !== '.' && s !== '..');
    fc.assert(
      fc.property(
        fc.dictionary(key, shard, { maxKeys: 20 }),
        fc.jsonValue({ maxDepth: 4 }),
        editsArb,
        (map, junk, edits) => {
          const text = JSON.stringify({ metadata: { total_size: 10 }, weight_map: map });
          const ok = parseSafetensorsIndex('m.safetensors.index.json', text);
          expect(ok.problems).toEqual([]);
          expect(ok.weightMap).toEqual(map);
          expect(ok.shards).toEqual([...new Set(Object.values(map))]);
          for (const t of [JSON.stringify(junk) ?? '', mutate(text, edits)]) {
            const r = parseSafetensorsIndex('m.safetensors.index.json', t);
            expectProblems(r.problems, 'm.safetensors.index.json', lineCount(t));
            for (const s of r.shards) expect(s).not.toMatch(/[/\\]/);
          }
        },
      ),
      fuzzParams(),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// GGUF header

type Kv = [string, 'u32' | 'f32' | 'bool' | 'str' | 'arr-u32' | 'arr-str', unknown];

const kvArb: fc.Arbitrary<Kv> = fc.oneof(
  fc.tuple(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.constant('u32' as const),
    fc.nat({ max: 0xffffffff }),
  ),
  fc.tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.constant('bool' as const), fc.boolean()),
  fc.tuple(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.constant('str' as const),
    fc.string({ unit: 'binary', maxLength: 30 }),
  ),
  fc.tuple(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.constant('arr-u32' as const),
    fc.array(fc.nat({ max: 1000 }), { maxLength: 10 }),
  ),
  fc.tuple(
    fc.string({ minLength: 1, maxLength: 20 }),
    fc.constant('arr-str' as const),
    fc.array(fc.string({ maxLength: 8 }), { maxLength: 10 }),
  ),
);

function ggufFile(kvs: Kv[]): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; }; // prettier-ignore
  const u64 = (n: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; }; // prettier-ignore
  const str = (s: string) => { const b = Buffer.from(s, 'utf8'); return Buffer.concat([u64(b.length), b]); }; // prettier-ignore
  parts.push(Buffer.from('GGUF'), u32(3), u64(0), u64(kvs.length));
  for (const [k, type, v] of kvs) {
    parts.push(str(k));
    if (type === 'u32') parts.push(u32(4), u32(v as number));
    else if (type === 'bool') parts.push(u32(7), Buffer.from([v ? 1 : 0]));
    else if (type === 'str') parts.push(u32(8), str(v as string));
    else if (type === 'arr-u32')
      parts.push(u32(9), u32(4), u64((v as number[]).length), ...(v as number[]).map(u32));
    else parts.push(u32(9), u32(8), u64((v as string[]).length), ...(v as string[]).map(str));
  }
  return Buffer.concat(parts);
}

describe('property: GGUF header', () => {
  const kvsArb = fc
    .uniqueArray(kvArb, { selector: (kv) => kv[0], maxLength: 12 })
    .map((kvs) => kvs.filter(([k]) => k !== 'tokenizer.ggml.tokens' && k !== 'tokenizer.ggml.merges'));

  test('generated key-value pairs read back', () => {
    fc.assert(
      fc.property(kvsArb, (kvs) => {
        const buf = ggufFile(kvs);
        const r = parseGgufHeader('m.gguf', buf, buf.length);
        expect(r.kind).toBe('header');
        if (r.kind !== 'header') return;
        expect(r.problems).toEqual([]);
        expect(r.version).toBe(3);
        expect(r.headerBytes).toBe(buf.length);
        for (const [k, , v] of kvs) expect(r.metadata[k]).toEqual(v);
      }),
      fuzzParams(),
    );
  });

  test('mutated headers and short reads give a header with problems or an honest need-more', () => {
    fc.assert(
      fc.property(kvsArb, byteEditsArb, fc.nat(), (kvs, edits, cut) => {
        const buf = mutateBytes(ggufFile(kvs), edits);
        const head = buf.subarray(0, buf.length === 0 ? 0 : cut % (buf.length + 1));
        const r = parseGgufHeader('m.gguf', head, buf.length);
        if (r.kind === 'need-more') {
          expect(r.needBytes).toBeGreaterThan(head.length);
          expect(r.needBytes).toBeLessThanOrEqual(buf.length);
        } else {
          expectProblems(r.problems, 'm.gguf');
          expect(r.headerBytes).toBeLessThanOrEqual(buf.length);
        }
      }),
      fuzzParams(),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// LFS pointers

describe('property: LFS pointer', () => {
  test('mutated pointers parse to a well-formed pointer or to null', () => {
    const oid = fc.stringMatching(/^[0-9a-f]{64}$/);
    fc.assert(
      fc.property(oid, fc.nat(), byteEditsArb, (o, size, edits) => {
        const text = `version https://git-lfs.github.com/spec/v1\noid sha256:${o}\nsize ${size}\n`;
        expect(parseLfsPointer(Buffer.from(text))).toEqual({ oid: o, size });
        const r = parseLfsPointer(mutateBytes(Buffer.from(text), edits));
        if (r !== null) {
          expect(r.oid).toMatch(/^[0-9a-f]{64}$/);
          expect(Number.isSafeInteger(r.size) && r.size >= 0).toBe(true);
        }
      }),
      fuzzParams(),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Adapter and mergekit configs

describe('property: adapter and mergekit configs', () => {
  const repoId = fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9][\w-]{0,10}[A-Za-z0-9]$/),
      fc.stringMatching(/^[A-Za-z0-9][\w.]{0,12}[A-Za-z0-9]$/),
    )
    .map(([o, n]) => `${o}/${n}`)
    .filter((s) => !s.includes('--') && !s.includes('..'));

  test('a generated adapter_config.json reads back; any text gives a result or problems', () => {
    fc.assert(
      fc.property(repoId, fc.integer({ min: 1, max: 256 }), anyText, editsArb, (base, r, junk, edits) => {
        const text = JSON.stringify(
          { base_model_name_or_path: base, peft_type: 'LORA', r, target_modules: ['q_proj'] },
          null,
          2,
        );
        const ok = parseAdapterConfig('adapter_config.json', text);
        expect(ok.problems).toEqual([]);
        expect(ok.adapter?.baseModel).toEqual({ value: base, file: 'adapter_config.json', line: 2 });
        expect(ok.adapter?.baseModelKind).toBe('hub-id');
        expect(ok.adapter?.r).toBe(r);
        for (const t of [junk, mutate(text, edits)]) {
          const res = parseAdapterConfig('adapter_config.json', t);
          expectProblems(res.problems, 'adapter_config.json', lineCount(t));
          if (res.adapter === null) expect(res.problems.length).toBeGreaterThan(0);
        }
      }),
      fuzzParams(),
    );
  });

  test('a generated mergekit config names its sources; any YAML gives a result or problems', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(repoId, { minLength: 2, maxLength: 5 }),
        anyText,
        editsArb,
        (ids, junk, edits) => {
          const [base, ...models] = ids;
          const yaml = yamlStringify({
            merge_method: 'ties',
            base_model: base,
            models: models.map((m) => ({ model: m, parameters: { weight: 0.5 } })),
            dtype: 'bfloat16',
          });
          const ok = parseMergekitConfig('mergekit_config.yml', yaml);
          expect(ok.problems).toEqual([]);
          expect(ok.config?.sources.map((s) => s.model)).toEqual(ids);
          expect(ok.config?.baseModel?.value).toBe(base);
          const card = extractMergekitFromCard('README.md', `# Merge\n\n\`\`\`yaml\n${yaml}\`\`\`\n`, 5);
          expect(card.config?.sources.map((s) => s.model)).toEqual(ids);
          for (const t of [junk, mutate(yaml, edits)]) {
            const res = parseMergekitConfig('mergekit_config.yml', t);
            expectProblems(res.problems, 'mergekit_config.yml');
            if (res.config === null) expect(res.problems.length).toBeGreaterThan(0);
            const fenced = extractMergekitFromCard(
              'README.md',
              `\`\`\`yaml\nmerge_method: x\n${t}\n\`\`\`\n`,
              1,
            );
            expectProblems(fenced.problems, 'README.md');
          }
        },
      ),
      fuzzParams(),
    );
  });
});
