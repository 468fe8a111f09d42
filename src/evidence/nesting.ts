// Nesting checks that run before the recursive JSON and YAML parsers, which would otherwise
// overflow the stack (or, for YAML, exhaust memory) on hostile input.
import { createScanner, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { positionAt } from './json-positions.js';

// jsonc-parser's SyntaxKind is a const enum, which isolatedModules cannot import.
const TOKEN_OPEN_BRACE = 1;
const TOKEN_CLOSE_BRACE = 2;
const TOKEN_OPEN_BRACKET = 3;
const TOKEN_CLOSE_BRACKET = 4;
const TOKEN_EOF = 17;

/**
 * Offset of the first bracket that nests deeper than `max`, or -1. Uses the iterative scanner because
 * parseTree recurses per level and would overflow the stack on hostile nesting.
 */
export function jsonTooDeepAt(text: string, max: number): number {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let kind = scanner.scan(); kind !== TOKEN_EOF; kind = scanner.scan()) {
    if (kind === TOKEN_OPEN_BRACE || kind === TOKEN_OPEN_BRACKET) {
      if (++depth > max) return scanner.getTokenOffset();
    } else if (kind === TOKEN_CLOSE_BRACE || kind === TOKEN_CLOSE_BRACKET) {
      depth = Math.max(0, depth - 1);
    }
  }
  return -1;
}

/**
 * True when `text[start, end)` holds more than `max` `{` and `[` characters. Coarse (brackets inside
 * strings count too) but linear and allocation-free: it bounds how many objects and arrays a full
 * JSON.parse could build, before megabytes of `{},` become gigabytes of heap.
 */
export function jsonContainersOver(text: string, max: number, start = 0, end = text.length): boolean {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c === 123 || c === 91) && ++n > max) return true;
  }
  return false;
}

/**
 * Line offset of the first place nesting exceeds max, or -1. Deliberately coarse: counts
 * every flow bracket (even inside quotes) and every indentation step of block collections, which only
 * misfires on input no real card contains.
 */
export function yamlTooDeepAt(yaml: string, max: number): number {
  let flow = 0;
  const indents: number[] = [];
  const lines = yaml.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const content = line.trimStart();
    if (content && !content.startsWith('#') && flow === 0) {
      // Block structure: one level per strictly increasing indentation, plus `- ` nesting on one line.
      const indent = line.length - content.length;
      while (indents.length > 0 && indents[indents.length - 1] >= indent) indents.pop();
      indents.push(indent);
      const dashes = /^(?:[-?:][ \t]+)*/.exec(content)?.[0].replace(/[ \t]/g, '').length ?? 0;
      if (indents.length + dashes > max) return i;
    }
    for (const ch of line) {
      if (ch === '[' || ch === '{') {
        if (++flow > max) return i;
      } else if ((ch === ']' || ch === '}') && flow > 0) flow--;
    }
  }
  return -1;
}

/**
 * Strict JSON (no comments, no trailing commas) into a jsonc-parser tree with offsets, after the
 * depth check. On failure, `reason` completes a sentence that starts with the file's name.
 */
export function parseJsonBounded(
  text: string,
  maxDepth: number,
  starts: number[],
): { ok: true; root: Node | undefined } | { ok: false; reason: string; line: number } {
  const deep = jsonTooDeepAt(text, maxDepth);
  if (deep >= 0) {
    return {
      ok: false,
      reason: `nests deeper than ${maxDepth} levels; not read`,
      line: positionAt(starts, deep).line,
    };
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0) {
    const pos = positionAt(starts, errors[0].offset);
    return {
      ok: false,
      reason: `is not valid JSON: ${printParseErrorCode(errors[0].error)} at line ${pos.line}, column ${pos.column}`,
      line: pos.line,
    };
  }
  return { ok: true, root };
}
