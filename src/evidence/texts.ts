// Files that may carry license, notice or attribution text, and the normalisation used to find exact
// license phrases in them regardless of Markdown formatting, quotes and line wrapping.
import type { Problem } from '../types.js';
import type { TextEvidence } from './types.js';

const LICENSE_LIKE = new RegExp(
  '^(?:licen[cs]e|notice|copying|copyright|use[_-]policy|usage[_-]policy|acceptable[_-]use|readme|' +
    'attribution|authors|legal|terms)' +
    // Anything after the stem (LICENSE-MODEL, README_zh), but the extension, if any, must be textual.
    '(?:[^.]*)(?:\\.(?:md|txt|rst|markdown))?$',
  'i',
);

/** True for names such as LICENSE, LICENCE.txt, NOTICE.md, USE_POLICY.md, README_zh.md, COPYING. */
export function isLicenseLikeName(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return LICENSE_LIKE.test(base);
}

/** Strict UTF-8 check; when `truncated`, a character cut by the byte bound at the end is allowed. */
function isUtf8(data: Buffer, truncated: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data, { stream: truncated });
    return true;
  } catch {
    return false;
  }
}

/** How much of the start is checked for NUL bytes, like git's binary heuristic. */
const BINARY_SNIFF_BYTES = 8192;

/**
 * Decodes a license-like file. UTF-8 (BOM stripped) by default, UTF-16 when it has a UTF-16 BOM.
 * Invalid UTF-8 becomes U+FFFD rather than a problem: license text is still findable around it.
 */
export function decodeText(
  file: string,
  data: Buffer,
  truncated: boolean,
): { text: TextEvidence | null; problems: Problem[] } {
  let encoding = 'utf-8';
  let body = data;
  if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) body = data.subarray(3);
  else if (data[0] === 0xff && data[1] === 0xfe) [encoding, body] = ['utf-16le', data.subarray(2)];
  else if (data[0] === 0xfe && data[1] === 0xff) [encoding, body] = ['utf-16be', data.subarray(2)];

  if (encoding === 'utf-8' && body.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    return {
      text: null,
      problems: [{ file, message: `${file} looks binary (NUL bytes), not read as text` }],
    };
  }
  // JSON must be UTF-8 (RFC 8259 §8.1; transformers reads configs as UTF-8 and fails otherwise).
  // Replacing bad bytes would silently change keys and values, so a .json file with them is malformed.
  if (encoding === 'utf-8' && /\.json$/i.test(file) && !isUtf8(body, truncated)) {
    return {
      text: null,
      problems: [{ file, message: `${file} is not valid UTF-8, which JSON requires; not read` }],
    };
  }
  let text: string;
  try {
    // stream: true when truncated, so a multi-byte character cut by the byte bound is dropped, not
    // turned into a replacement character.
    text = new TextDecoder(encoding, { fatal: false, ignoreBOM: true }).decode(body, { stream: truncated });
  } catch {
    return { text: null, problems: [{ file, message: `${file} uses an encoding that cannot be decoded` }] };
  }
  return { text: { file, text, truncated }, problems: [] };
}

/**
 * Normalises text for exact-phrase matching. Phrase matching is always done on normalised text of
 * BOTH sides: `normalizeForMatch(fileText).includes(normalizeForMatch(phrase))`.
 *
 * Lower-cases; maps curly quotes to straight ones and `©` / `(C)` to `(c)`; drops Markdown emphasis
 * and code marks (`*`, `_`, backtick) and block-quote `>` at line starts; collapses every whitespace
 * run (newlines included) to one space and trims.
 */
export function normalizeForMatch(s: string): string {
  return s
    .toLowerCase()
    .replace(/^[ \t]*(?:>[ \t]?)+/gm, '')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\u00a9/g, '(c)')
    .replace(/[*_`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}
