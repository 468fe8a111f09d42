// The one interface the pipeline reads a model repository through. A local checkout and a Hub
// repo both implement it, so the rest of the pipeline never touches the file system or network.
import type { Target } from '../types.js';

export interface RepoEntry {
  /** Relative to the target root, `/` separators. */
  path: string;
  size: number;
  /**
   * `file`: readable regular file inside the root. `link-outside`: a symlink whose target leaves the
   * root (reported, never read). `special`: FIFO, device or socket (skipped). `link-broken`: dangling
   * or looping link.
   */
  kind: 'file' | 'link-outside' | 'special' | 'link-broken';
  /** Present when the Hub listing gives it: the Git LFS object id (sha256 hex). */
  lfsOid?: string;
}

export type ReadResult =
  { ok: true; data: Buffer; truncated: boolean; size: number } | { ok: false; reason: string };

export interface RepoSource {
  readonly target: Target;
  /** Every entry below the root (skipping `.git` and `node_modules`), bounded in count. */
  list(): Promise<{ entries: RepoEntry[]; notes: string[] }>;
  /** Reads at most `maxBytes` from the start of a file. Never follows a link out of the root. */
  read(path: string, maxBytes: number): Promise<ReadResult>;
  /** Reads `length` bytes at `offset` (for binary headers). */
  readRange(path: string, offset: number, length: number): Promise<ReadResult>;
}
