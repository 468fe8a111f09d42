// Escaping of repository-controlled text (file names, messages, declared values) for every place
// the gate writes it: Markdown (job summary, PR comment), Mermaid labels, workflow-command
// annotations and SARIF URIs. A model repo in a PR is untrusted: a crafted file name must not
// break a table, inject HTML, close a code fence, move the terminal cursor or forge a URI.

/** C0/C1 controls (but tab and newline), DEL, and the bidi/zero-width marks that reorder or hide text. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** String.prototype.toWellFormed (ES2024, not in this project's lib): lone surrogates → U+FFFD. */
/** True when `text` holds a surrogate half without its pair (it then has no UTF-8 form). */
export function hasLoneSurrogate(text: string): boolean {
  return text.search(LONE_SURROGATE) >= 0;
}

export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

function hex(c: string): string {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * Plain text safe for a log line, an annotation or a SARIF message: invisible and control
 * characters become visible escapes (`\x1b`, `\u{202e}`), lone surrogates become U+FFFD.
 * Newlines and tabs are kept (CRLF becomes LF); a lone `\r` is escaped (it would rewrite the line on
 * a terminal).
 */
export function plainText(text: string): string {
  return wellFormed(text).replace(/\r\n/g, '\n').replace(INVISIBLE, hex);
}

/** Markdown-escaped text; newlines are left to the caller. */
function mdEscape(text: string): string {
  return plainText(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\\/g, '\\\\')
    .replace(/([`|*_[\]#~!])/g, '\\$1');
}

/**
 * One line of Markdown (a heading, a list item): no HTML, emphasis, links, code spans, table
 * pipes or headings, and no line break — a newline shows as `\n`.
 */
export function mdInline(text: string): string {
  return mdEscape(text).replace(/\n/g, '\\\\n');
}

/** For a table cell: like `mdInline`, but line breaks become `<br>` so the row stays one line. */
export function mdCell(text: string): string {
  return mdEscape(text).replace(/\n/g, '<br>').replace(/\t/g, ' ');
}

/**
 * JSON text with every invisible character (bidi overrides, zero-width, C1) and `<`, `>`, `&`
 * written as `\uXXXX` escapes: the same JSON value, but nothing in it reorders or hides text, or
 * reads as HTML, wherever it is embedded. (JSON.stringify already escapes C0 controls and lone
 * surrogates.)
 */
export function jsonVisible(json: string): string {
  return json.replace(INVISIBLE, u4).replace(/[<>&]/g, u4);
}

function u4(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Output that may reach a CI log (text, or the summary printed to the log): no line may start,
 * after blanks, with `::`, or the runner would take it as a workflow command (a file name can
 * carry a newline followed by `::error::…`). The first colon is written as a visible `\x3a`.
 */
export function inertLines(text: string): string {
  return text.replace(/^([ \t]*)::/gm, '$1\\x3a:');
}

/**
 * Text inside a Mermaid `["…"]` node or `|"…"|` edge label. Everything but a small safe set is
 * written as a Mermaid entity code (`#35;`), so quotes, brackets, pipes, backticks (which could
 * close the Markdown fence), `<` and `;` cannot end the label or inject markup.
 */
export function mermaidLabel(text: string): string {
  const clean = plainText(text).replace(/\s+/g, ' ');
  let out = '';
  for (const ch of clean) out += /[A-Za-z0-9 ._/@:+,()-]/.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return out;
}

/**
 * A target-relative path as a SARIF `artifactLocation.uri` (an RFC 3986 relative reference):
 * each segment percent-encoded, `/` kept between segments.
 */
export function uriPath(path: string): string {
  return wellFormed(path).split('/').map(encodeURIComponent).join('/');
}
