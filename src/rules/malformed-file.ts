import type { Rule } from './rule.js';

/** A file the gate must read is malformed or over its bound: the rest is still judged. */
export const malformedFile: Rule = {
  id: 'malformed-file',
  defaultSeverity: 'error',
  description: 'a file the gate must read is malformed or over its size bound',
  check(ctx) {
    return ctx.model.problems.map((p) => ({
      file: p.file,
      line: p.line,
      message: p.message,
      fix: `Correct ${p.file} so that it parses${p.line ? ` (see line ${p.line})` : ''}, or remove it.`,
    }));
  },
};
