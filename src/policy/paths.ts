// `paths` / `ignore`: which model directories of a monorepo are judged. Globs are minimatch
// patterns over directory paths relative to the target root (`/` separators). A pattern also
// matches everything below a directory it matches, so `ignore: [vendor]` skips vendor/x/y.
import { Minimatch } from 'minimatch';

/** Policy globs come from the repo: bound brace expansion so `{1..999999}` cannot eat memory. */
const GLOB_OPTIONS = { dot: true, nocomment: true, nonegate: true, braceExpandMax: 256 } as const;
export const MAX_GLOB_LENGTH = 1024;

export type Glob = Minimatch;

/** Compiles one glob, or says why it cannot be used. */
export function compileGlob(pattern: string): Glob | string {
  const p = pattern.trim().replace(/^\.\//, '').replace(/\/+$/, '');
  if (p === '') return 'is empty';
  if (p.length > MAX_GLOB_LENGTH) return `is longer than ${MAX_GLOB_LENGTH} characters`;
  if (p.startsWith('/')) return 'must be relative to the repository root (no leading /)';
  try {
    return new Minimatch(p, GLOB_OPTIONS);
  } catch (err) {
    return `is not a usable glob: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** `a/b/c` → `a`, `a/b`, `a/b/c` (the path itself last); the root is '.'. */
function selfAndAncestors(p: string): string[] {
  if (p === '.' || p === '') return ['.'];
  const parts = p.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** True when the glob matches the path or one of its parent directories. */
export function globCovers(glob: Glob, p: string): boolean {
  return selfAndAncestors(p).some((q) => glob.match(q));
}

export interface PathFilter {
  /** Empty: every model directory is a candidate. */
  include: Glob[];
  exclude: Glob[];
}

/** Model directories the policy selects, in their original order. */
export function selectModelDirs(dirs: string[], filter: PathFilter): string[] {
  return dirs.filter(
    (d) =>
      (filter.include.length === 0 || filter.include.some((g) => globCovers(g, d))) &&
      !filter.exclude.some((g) => globCovers(g, d)),
  );
}
