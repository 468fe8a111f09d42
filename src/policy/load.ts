// Reading a policy file: bounded read, YAML with positions, zod validation, every problem reported
// as file:line. The file comes from the repository under review, so it is untrusted like the rest:
// size, alias expansion and nesting are bounded, and it is read through the symlink-safe local
// source (a policy that links out of the repository is refused, never followed).
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { defaultCatalog } from '../catalog/index.js';
import { parseConfig } from '../evidence/config.js';
import { yamlTooDeepAt } from '../evidence/nesting.js';
import { createLocalSource } from '../sources/local.js';
import { RULE_IDS } from '../types.js';
import { basesToCatalog } from './bases.js';
import type { PolicyException } from './exceptions.js';
import { emptyPolicy, type Policy } from './policy.js';
import { readTerm } from './licenses.js';
import { compileGlob, type Glob } from './paths.js';
import { POLICY_KEYS, PolicySchema, type PolicyFile } from './schema.js';
import { PolicyError, type PolicyProblem } from './error.js';

export { PolicyError, type PolicyProblem } from './error.js';

export const MAX_POLICY_BYTES = 256 * 1024;
export const MAX_ALIAS_COUNT = 100;
export const MAX_NESTING = 32;
/** A base's config.json read from the repository. */
export const MAX_BASE_CONFIG_BYTES = 4 * 1024 * 1024;
/** Problems listed per file; the first one is what the one-line error shows. */
const MAX_PROBLEMS = 20;

export type ReadText = (rel: string) => Promise<{ ok: true; text: string } | { ok: false; reason: string }>;

export type ParseResult = { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] };

type PathKey = string | number;

function label(p: readonly PathKey[]): string {
  return p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');
}

function describe(v: unknown): string {
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a YAML timestamp';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

function valueAt(data: unknown, p: readonly PathKey[]): unknown {
  let v = data;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = Object.prototype.hasOwnProperty.call(v, k) ? (v as Record<PathKey, unknown>)[k] : undefined;
  }
  return v;
}

const kebab = (k: string): string => k.replace(/_/g, '-').toLowerCase();

/** Maps a path inside the document to the line a person edits: the key's line for map entries. */
function lineFinder(doc: Document.Parsed, lineCounter: LineCounter) {
  const lineOfNode = (node: unknown): number | undefined => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  const deref = (n: unknown): unknown => (isAlias(n) ? n.resolve(doc) : n);
  return (p: readonly PathKey[], keyInMap?: string): number | undefined => {
    let node: unknown = doc.contents;
    let line = lineOfNode(node) ?? 1;
    const steps = keyInMap === undefined ? p : [...p, keyInMap];
    // Bounded by the path, which zod built from data of bounded depth.
    for (const k of steps) {
      const n = deref(node);
      if (isMap(n)) {
        const pair = n.items.find((it) => {
          const key = deref(it.key);
          return isScalar(key) && String(key.value) === String(k);
        });
        if (!pair) return line;
        line = lineOfNode(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(n) && typeof k === 'number' && n.items[k] !== undefined) {
        node = n.items[k];
        line = lineOfNode(node) ?? line;
      } else {
        return line;
      }
    }
    return line;
  };
}

function zodProblems(
  issues: z.core.$ZodIssue[],
  data: unknown,
  lineAt: (p: readonly PathKey[], key?: string) => number | undefined,
): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  for (const issue of issues) {
    const p = issue.path.filter((k): k is PathKey => typeof k !== 'symbol');
    const where = label(p);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        let message: string;
        if (where === 'rules') {
          message = `rules: unknown rule '${key}' (rules: ${RULE_IDS.join(', ')})`;
        } else {
          const hint =
            p.length === 0 && POLICY_KEYS.includes(kebab(key)) ? ` (did you mean '${kebab(key)}'?)` : '';
          message = `${where ? `${where}: ` : ''}unknown key '${key}'${hint}`;
        }
        out.push({ line: lineAt(p, key), message });
      }
      continue;
    }
    const value = valueAt(data, p);
    let message = issue.message;
    if (value === undefined && p.length > 0) {
      const parent = label(p.slice(0, -1));
      message = `${parent ? `${parent}: ` : ''}'${String(p[p.length - 1])}' is required`;
      out.push({ line: lineAt(p.slice(0, -1)), message });
      continue;
    }
    if (issue.code === 'invalid_type' || issue.code === 'invalid_union')
      message += `, not ${describe(value)}`;
    out.push({ line: lineAt(p), message: where ? `${where} ${message}` : message });
  }
  return out;
}

/**
 * Parses policy text. Never throws: any input gives a Policy or problems with lines. `readText`
 * reads a base's `config` path inside the repository.
 */
export async function parsePolicy(
  text: string,
  opts: { file: string; readText?: ReadText },
): Promise<ParseResult> {
  const fail = (problems: PolicyProblem[]): ParseResult => ({
    ok: false,
    problems: problems.slice(0, MAX_PROBLEMS),
  });
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (src.length > MAX_POLICY_BYTES)
    return fail([{ message: `is larger than ${MAX_POLICY_BYTES / 1024} KiB` }]);
  const deep = yamlTooDeepAt(src, MAX_NESTING);
  if (deep >= 0) return fail([{ line: deep + 1, message: `nests deeper than ${MAX_NESTING} levels` }]);

  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  let data: unknown;
  try {
    doc = parseDocument(src, { lineCounter, uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) {
      return fail(
        doc.errors.map((e) => ({
          line: lineCounter.linePos(e.pos[0]).line,
          message: `is not valid YAML: ${e.message.split('\n')[0].slice(0, 200)}`,
        })),
      );
    }
    // An alias budget turns a "billion laughs" file into an error instead of an out-of-memory.
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0].slice(0, 200) : 'unreadable';
    return fail([{ line: 1, message: `cannot be read as YAML: ${why}` }]);
  }
  if (data === null || data === undefined) return { ok: true, policy: emptyPolicy(opts.file) };
  const lineAt = lineFinder(doc, lineCounter);
  if (typeof data !== 'object' || Array.isArray(data)) {
    return fail([
      { line: lineAt([]), message: `must be a mapping of keys to values, not ${describe(data)}` },
    ]);
  }
  const parsed = PolicySchema.safeParse(data);
  if (!parsed.success) return fail(zodProblems(parsed.error.issues, data, lineAt));
  return resolve(parsed.data, opts, lineAt);
}

function globs(list: string[] | undefined): Glob[] {
  // Validated by the schema; compileGlob cannot fail here.
  return (list ?? []).map((g) => compileGlob(g)).filter((g): g is Glob => typeof g !== 'string');
}

async function resolve(
  file: PolicyFile,
  opts: { file: string; readText?: ReadText },
  lineAt: (p: readonly PathKey[]) => number | undefined,
): Promise<ParseResult> {
  const problems: PolicyProblem[] = [];
  const at = (p: PathKey[], message: string) =>
    problems.push({ line: lineAt(p), message: `${label(p)}: ${message}` });
  const licenses = defaultCatalog().licenses;

  for (const key of ['allow-licenses', 'deny-licenses'] as const) {
    (file[key] ?? []).forEach((v, i) => {
      const t = readTerm(v, licenses);
      if (typeof t === 'string') at([key, i], t);
    });
  }

  const exceptions: PolicyException[] = (file.exceptions ?? []).map((e, i) => {
    const g = e.path !== undefined ? compileGlob(e.path) : undefined;
    const line = lineAt(['exceptions', i]);
    return {
      rule: e.rule,
      reason: e.reason,
      ...(e.path !== undefined ? { path: e.path } : {}),
      ...(g !== undefined && typeof g !== 'string' ? { pathGlob: g } : {}),
      ...(e.base !== undefined ? { base: e.base } : {}),
      ...(e.expires !== undefined ? { expires: e.expires } : {}),
      ...(line !== undefined ? { line } : {}),
    };
  });

  const bases = file.bases ?? [];
  const configs: Record<string, unknown>[] = [];
  for (const [i, b] of bases.entries()) {
    if (typeof b.config !== 'string') {
      configs.push(b.config);
      continue;
    }
    configs.push({});
    if (!opts.readText) {
      at(['bases', i, 'config'], 'config paths cannot be read here; give the config inline');
      continue;
    }
    const r = await opts.readText(b.config);
    if (!r.ok) {
      at(['bases', i, 'config'], `${b.config} ${r.reason}`);
      continue;
    }
    const { config, problems: cp } = parseConfig(b.config, r.text);
    if (!config) {
      const p = cp[0];
      at(
        ['bases', i, 'config'],
        `${p?.message ?? `${b.config} cannot be read`}${p?.line ? ` (${b.config}:${p.line})` : ''}`,
      );
      continue;
    }
    configs[i] = config.raw;
  }
  if (problems.length === 0) {
    const { extension, issues } = basesToCatalog(bases, configs, licenses, opts.file);
    for (const issue of issues) at(issue.path, issue.message);
    if (problems.length === 0) {
      return {
        ok: true,
        policy: {
          ...emptyPolicy(opts.file),
          ...(file['fail-on'] ? { failOn: file['fail-on'] } : {}),
          severities: { ...(file.rules ?? {}) },
          paths: { include: globs(file.paths), exclude: globs(file.ignore) },
          licenses: {
            allow: file['allow-licenses'] ?? null,
            deny: file['deny-licenses'] ?? [],
            failOnUnknown: file['fail-on-unknown-license'] ?? false,
          },
          exceptions,
          catalog: extension,
        },
      };
    }
  }
  return { ok: false, problems: problems.slice(0, MAX_PROBLEMS) };
}

/**
 * The repository root for a policy file: the parent of `.github` for a file in `.github/`, else the
 * file's own directory. A base's `config` path is relative to it and must stay inside it.
 */
export function policyRoot(absFile: string): string {
  const dir = path.dirname(absFile);
  return path.basename(dir) === '.github' ? path.dirname(dir) : dir;
}

/**
 * Reads and parses the policy at `file` (as the user gave it; resolved against `cwd`). `optional`:
 * a missing file means "no policy" (the Action's default path) instead of an error. Throws
 * PolicyError for anything that makes the policy unusable.
 */
export async function loadPolicy(opts: {
  file: string;
  cwd?: string;
  optional?: boolean;
}): Promise<Policy | null> {
  const abs = path.resolve(opts.cwd ?? process.cwd(), opts.file);
  const root = policyRoot(abs);
  const rel = path.relative(root, abs).split(path.sep).join('/');
  try {
    await fsp.lstat(abs);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && opts.optional) return null;
    throw new PolicyError(opts.file, [{ message: 'does not exist' }]);
  }
  const source = createLocalSource(root);
  const readText: ReadText = async (p) => {
    const r = await source.read(p, MAX_BASE_CONFIG_BYTES + 1);
    if (!r.ok) return { ok: false, reason: r.reason };
    if (r.truncated || r.data.length > MAX_BASE_CONFIG_BYTES) {
      return { ok: false, reason: `is larger than ${MAX_BASE_CONFIG_BYTES / 1024 / 1024} MiB` };
    }
    return { ok: true, text: r.data.toString('utf8') };
  };
  const r = await source.read(rel, MAX_POLICY_BYTES + 1);
  if (!r.ok) throw new PolicyError(opts.file, [{ message: r.reason }]);
  if (r.truncated || r.data.length > MAX_POLICY_BYTES) {
    throw new PolicyError(opts.file, [{ message: `is larger than ${MAX_POLICY_BYTES / 1024} KiB` }]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(r.data);
  } catch {
    throw new PolicyError(opts.file, [{ message: 'is not UTF-8 text' }]);
  }
  const parsed = await parsePolicy(text, { file: opts.file, readText });
  if (!parsed.ok) throw new PolicyError(opts.file, parsed.problems);
  return parsed.policy;
}
