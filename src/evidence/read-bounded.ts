// One bounded read of a whole small file, with the problems every caller reports the same way: an
// unreadable file, a file over its bound (not read at all), and a Git LFS pointer in its place.
import type { RepoEntry, RepoSource } from '../sources/source.js';
import type { Problem } from '../types.js';
import { parseLfsPointer } from './lfs.js';
import type { LfsEvidence } from './types.js';

export async function readBounded(
  source: RepoSource,
  entry: RepoEntry | undefined,
  max: number,
  problems: Problem[],
  options: {
    /** Pointers found in place of the file are recorded here; `false`: a pointer is read as content. */
    lfs?: LfsEvidence[] | false;
    /** What the bound is for, in the over-the-bound message ("a config"). */
    what?: string;
  } = {},
): Promise<{ path: string; data: Buffer } | null> {
  if (entry?.kind !== 'file') return null;
  const r = await source.read(entry.path, max);
  if (!r.ok) {
    problems.push({ file: entry.path, message: `${entry.path} could not be read: ${r.reason}` });
    return null;
  }
  if (r.truncated) {
    problems.push({
      file: entry.path,
      message: `${entry.path} is ${r.size} bytes, over the ${max}-byte bound${options.what ? ` for ${options.what}` : ''}; not read`,
    });
    return null;
  }
  const pointer = options.lfs !== false && r.data.length <= 1024 ? parseLfsPointer(r.data) : null;
  if (pointer) {
    if (options.lfs) options.lfs.push({ file: entry.path, oid: pointer.oid, size: pointer.size });
    return null;
  }
  return { path: entry.path, data: r.data };
}
