import type { Problem } from '../types.js';
import type { Rule } from './rule.js';

/** What to do about a problem depends on its kind: a link, a bound, a lying config, a parse error. */
function fixFor(p: Problem): string {
  const at = p.line ? ` (see line ${p.line})` : '';
  if (/symbolic link|not a regular file/.test(p.message)) {
    return `Replace ${p.file} with a regular file inside the repository; links out of it and special files are never read.`;
  }
  if (/does not describe these weights/.test(p.message)) {
    return `Correct ${p.file}${at} to the geometry the safetensors headers show, or ship the weights it describes.`;
  }
  if (/bound|exceeds|more than \d/.test(p.message)) {
    return `Bring ${p.file} within the bound named above, or remove it; the gate does not read past its bounds.`;
  }
  return `Correct ${p.file} so that it parses${at}, or remove it.`;
}

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
      fix: fixFor(p),
      ...(p.severity ? { severity: p.severity } : {}),
    }));
  },
};
