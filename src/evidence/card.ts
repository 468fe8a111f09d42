// README.md (model card) → declared license, base models and name, each with its line in the whole
// file. The card is untrusted: YAML errors, alias bombs and wrong types become problems, never throws.
import { yamlTooDeepAt } from './nesting.js';
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { Problem } from '../types.js';
import { lineStarts } from './json-positions.js';
import type { CardEvidence, Positioned } from './types.js';

const MAX_ALIAS_COUNT = 100;
/** Real cards nest a few levels; the yaml parser recurses per level and can exhaust the stack. */
const MAX_NESTING = 64;
const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
/** Opening of an ATX heading; the rest of the line is handled by atxHeading (no backtracking). */
const ATX_OPEN = /^ {0,3}(#{1,6})(?=[ \t]|$)/;
/** A title longer than this is not a title; it also bounds the work per line on hostile cards. */
const MAX_TITLE_CHARS = 1000;

interface FrontMatter {
  /** The YAML between the fences. */
  yaml: string;
  /** File line of the first YAML line (the one after the opening `---`). */
  firstLine: number;
  /** File line where the body starts (after the closing fence). */
  bodyLine: number;
  body: string;
}

function splitLines(text: string): { lines: string[]; starts: number[] } {
  const starts = lineStarts(text);
  const lines = starts.map((s, i) => text.slice(s, i + 1 < starts.length ? starts[i + 1] : text.length));
  return { lines, starts };
}

const stripEol = (line: string): string => line.replace(/\r?\n$|\r$/, '');

/**
 * `# Title #` → { level 1, text 'Title' }. Written without a regex over the whole line because the
 * obvious one (lazy text, optional closing #s, trailing blanks) backtracks quadratically on a long
 * run of blanks, which a hostile README can supply.
 */
function atxHeading(line: string): { level: number; text: string } | null {
  const open = ATX_OPEN.exec(line);
  if (!open) return null;
  let text = line.slice(open[0].length).trim();
  // A closing sequence of #s counts only when a blank precedes it (or it is all there is).
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0) text = '';
  else if (end < text.length && (text[end - 1] === ' ' || text[end - 1] === '\t'))
    text = text.slice(0, end).trim();
  return { level: open[1].length, text };
}

/** Finds the front matter; `unclosed` when line 1 opens it but no line closes it. */
function findFrontMatter(text: string): FrontMatter | 'none' | 'unclosed' {
  const { lines, starts } = splitLines(text);
  if (lines.length === 0 || !/^---[ \t]*$/.test(stripEol(lines[0]))) return 'none';
  for (let i = 1; i < lines.length; i++) {
    if (/^(---|\.\.\.)[ \t]*$/.test(stripEol(lines[i]))) {
      const bodyStart = i + 1 < starts.length ? starts[i + 1] : text.length;
      return {
        yaml: text.slice(starts[1], starts[i]),
        firstLine: 2,
        bodyLine: i + 2,
        body: text.slice(bodyStart),
      };
    }
  }
  return 'unclosed';
}

/** First ATX heading outside fenced code; an H1 wins over earlier lower-level headings. */
function findTitle(file: string, body: string, bodyLine: number): Positioned<string> | null {
  const { lines } = splitLines(body);
  let fence: string | null = null;
  let first: Positioned<string> | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = stripEol(lines[i]);
    const f = FENCE_OPEN.exec(line);
    if (fence) {
      if (f && f[1][0] === fence[0] && f[1].length >= fence.length && line.trim() === f[1]) fence = null;
      continue;
    }
    if (f) {
      fence = f[1];
      continue;
    }
    const h = atxHeading(line);
    if (!h || !h.text || h.text.length > MAX_TITLE_CHARS) continue;
    const found = { value: h.text, file, line: bodyLine + i };
    if (h.level === 1) return found;
    first ??= found;
  }
  return first;
}

function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'empty';
    if (typeof v === 'number' || typeof v === 'bigint') return 'a number';
    if (typeof v === 'boolean') return 'a boolean';
    return `a ${typeof v}`;
  }
  return 'an unsupported value';
}

export function parseCard(file: string, text: string): { card: CardEvidence; problems: Problem[] } {
  const name = path.posix.basename(file);
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const problems: Problem[] = [];
  const card: CardEvidence = {
    file,
    hasFrontMatter: false,
    license: null,
    licenseName: null,
    licenseLink: null,
    baseModels: [],
    relation: null,
    modelName: null,
    insertLine: 1,
    body: src,
    bodyLine: 1,
    title: null,
  };
  const done = (): { card: CardEvidence; problems: Problem[] } => {
    card.title = findTitle(file, card.body, card.bodyLine);
    return { card, problems };
  };

  const fm = findFrontMatter(src);
  if (fm === 'none') return done();
  if (fm === 'unclosed') {
    problems.push({
      file,
      line: 1,
      message: `${name} opens front matter with '---' on line 1 but never closes it with another '---' line`,
    });
    return done();
  }
  card.hasFrontMatter = true;
  card.insertLine = fm.firstLine;
  card.body = fm.body;
  card.bodyLine = fm.bodyLine;

  const deep = yamlTooDeepAt(fm.yaml, MAX_NESTING);
  if (deep >= 0) {
    const line = deep + fm.firstLine;
    problems.push({
      file,
      line,
      message: `${name} front matter nests deeper than ${MAX_NESTING} levels (line ${line}); not read`,
    });
    return done();
  }

  const lineCounter = new LineCounter();
  const toLine = (offset: number): number => lineCounter.linePos(offset).line + fm.firstLine - 1;
  let doc: Document.Parsed;
  try {
    // logLevel 'error': the library would print warnings about hostile keys to stderr.
    doc = parseDocument(fm.yaml, { lineCounter, uniqueKeys: true, prettyErrors: false, logLevel: 'error' });
    if (doc.errors.length === 0) {
      // Expanding the document once with an alias budget turns a "billion laughs" card into an error
      // instead of letting a later consumer expand it.
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    }
  } catch (err) {
    // Stack overflow on hostile nesting, or the alias budget above.
    const why = err instanceof Error ? err.message : 'unreadable';
    problems.push({ file, line: fm.firstLine, message: `${name} front matter cannot be read: ${why}` });
    return done();
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = toLine(e.pos[0]);
    const msg = e.message.split('\n')[0].slice(0, 200);
    problems.push({ file, line, message: `${name} front matter is not valid YAML: ${msg} (line ${line})` });
    return done();
  }

  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return done(); // empty
  if (!isMap(contents)) {
    const line = contents.range ? toLine(contents.range[0]) : fm.firstLine;
    problems.push({
      file,
      line,
      message: `${name} front matter must be a mapping of keys to values, not ${describe(contents)} (line ${line})`,
    });
    return done();
  }

  const deref = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
  const lineOfNode = (node: unknown, fallback: number): number => {
    const range = (node as YamlNode | null)?.range;
    return range ? toLine(range[0]) : fallback;
  };
  /** A non-empty string value, or null; a wrong type is reported once, naming key and line. */
  const stringValue = (key: string, node: unknown, keyLine: number): Positioned<string> | null => {
    const n = deref(node);
    if (n === null || n === undefined || (isScalar(n) && n.value === null)) return null;
    if (isScalar(n) && typeof n.value === 'string') {
      const value = n.value.trim();
      return value ? { value, file, line: lineOfNode(n, keyLine) } : null;
    }
    const line = lineOfNode(n, keyLine);
    problems.push({
      file,
      line,
      message: `${name} front matter: '${key}' must be a string, not ${describe(n)} (line ${line}); ignored`,
    });
    return null;
  };

  const pairs = new Map<string, { value: unknown; keyLine: number }>();
  for (const pair of contents.items) {
    const key = deref(pair.key);
    if (!isScalar(key) || typeof key.value !== 'string') continue;
    pairs.set(key.value, { value: pair.value, keyLine: lineOfNode(key, fm.firstLine) });
  }
  const str = (key: string): Positioned<string> | null => {
    const p = pairs.get(key);
    return p ? stringValue(key, p.value, p.keyLine) : null;
  };

  card.license = str('license');
  card.licenseName = str('license_name');
  card.licenseLink = str('license_link');
  card.relation = str('base_model_relation');

  const base = pairs.get('base_model');
  const baseNode = deref(base?.value);
  if (base && isSeq(baseNode)) {
    for (const item of baseNode.items) {
      const v = stringValue('base_model', item, base.keyLine);
      if (v) card.baseModels.push(v);
    }
  } else if (base) {
    const v = stringValue('base_model', base.value, base.keyLine);
    if (v) card.baseModels.push(v);
  }

  card.modelName = str('model_name');
  const index = pairs.get('model-index');
  const indexNode = deref(index?.value);
  if (!card.modelName && index && isSeq(indexNode)) {
    const first = deref(indexNode.items[0]);
    if (isMap(first)) {
      const namePair = first.items.find((p) => {
        const k = deref(p.key);
        return isScalar(k) && k.value === 'name';
      });
      if (namePair) {
        card.modelName = stringValue(
          'model-index[0].name',
          namePair.value,
          lineOfNode(namePair.key, index.keyLine),
        );
      }
    }
  }
  return done();
}
