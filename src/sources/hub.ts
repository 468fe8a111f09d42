// A RepoSource over a Hugging Face Hub repo at one commit. Nothing is downloaded whole: the listing
// gives sizes and LFS object ids, small files are read up to their bound, and binary headers are
// read through byte ranges. The first range read of a weight file fetches a bounded prefix that
// usually holds the whole header, so a safetensors shard costs about one request; the prefix grows
// to fit the largest header seen so far, because the shards of one model have similar headers.
import type { HubClient } from '../hub/client.js';
import { HubError } from '../hub/errors.js';
import type { ReadResult, RepoEntry, RepoSource } from './source.js';

export interface HubSourceOptions {
  client: HubClient;
  repo: string;
  /** Branch, tag or commit (default `main`); resolved to the commit once. */
  revision?: string;
  /** Most files listed (as for a local checkout). */
  maxEntries?: number;
  /** First range read of a binary file: this many bytes from its start. */
  prefixBytes?: number;
  /** Bytes kept in memory for serving later ranges. */
  memoryBytes?: number;
}

export interface HubSource extends RepoSource {
  readonly target: { kind: 'hub'; repo: string; revision: string };
}

const SKIPPED = new Set(['.git', 'node_modules']);
const DEFAULT_PREFIX = 64 * 1024;
const MAX_PREFIX = 2 * 1024 * 1024;
/** One exact range read at most (the safetensors header bound plus its length field). */
const MAX_RANGE = 100 * 1024 * 1024 + 8;

interface Segment {
  offset: number;
  data: Buffer;
}

/** These failures say the run cannot be trusted (the network went away mid-run): stop with one line. */
function isFatal(err: HubError): boolean {
  return (
    err.kind === 'network' || err.kind === 'timeout' || err.kind === 'throttled' || err.kind === 'server'
  );
}

function reasonOf(err: HubError): string {
  if (err.kind === 'missing') return 'does not exist on the Hub';
  if (err.kind === 'unauthorized' || err.kind === 'gated')
    return 'cannot be read from the Hub: access denied';
  if (err.kind === 'offline') return 'is not in the cache (offline)';
  return 'could not be read from the Hub: the answer was malformed';
}

/** Resolves the revision and returns the source; throws HubError when the repo cannot be opened. */
export async function openHubSource(options: HubSourceOptions): Promise<HubSource> {
  const { client, repo } = options;
  const sha = await client.resolve(repo, options.revision ?? 'main');
  const prefixDefault = options.prefixBytes ?? DEFAULT_PREFIX;
  const memoryCap = options.memoryBytes ?? 64 * 1024 * 1024;
  const memory = new Map<string, Segment[]>();
  let memoryUsed = 0;
  let largestSafetensorsHeader = 0;
  let probe: Promise<void> | undefined;
  let listing: Promise<{ entries: RepoEntry[]; notes: string[] }> | undefined;
  const sizes = new Map<string, number>();

  async function doList(): Promise<{ entries: RepoEntry[]; notes: string[] }> {
    const maxEntries = options.maxEntries ?? 50_000;
    const tree = await client.tree(repo, sha, { recursive: true, maxEntries });
    const notes: string[] = [];
    if (tree.truncated) notes.push(`stopped listing after ${maxEntries} files`);
    if (tree.skipped) notes.push(`ignored ${tree.skipped} malformed entries in the Hub's file list`);
    const entries: RepoEntry[] = [];
    for (const t of tree.entries) {
      if (t.path.split('/').some((s) => SKIPPED.has(s))) continue;
      if (sizes.has(t.path)) continue;
      sizes.set(t.path, t.size);
      entries.push({ path: t.path, size: t.size, kind: 'file', ...(t.lfsOid ? { lfsOid: t.lfsOid } : {}) });
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { entries, notes };
  }
  const list = () => (listing ??= doList());

  function remember(path: string, seg: Segment): void {
    const segs = memory.get(path) ?? [];
    segs.push(seg);
    memory.delete(path);
    memory.set(path, segs);
    memoryUsed += seg.data.length;
    // Oldest files first: a later shard never needs an earlier shard's bytes.
    for (const [p, old] of memory) {
      if (memoryUsed <= memoryCap || p === path) break;
      for (const s of old) memoryUsed -= s.data.length;
      memory.delete(p);
    }
  }

  function fromMemory(path: string, offset: number, length: number): Buffer | null {
    for (const s of memory.get(path) ?? []) {
      if (s.offset <= offset && s.offset + s.data.length >= offset + length) {
        return s.data.subarray(offset - s.offset, offset - s.offset + length);
      }
    }
    return null;
  }

  function prefixFor(path: string): number {
    if (!/\.safetensors$/i.test(path)) return prefixDefault;
    // A small margin: most shards of one checkpoint have headers within a few percent of each other,
    // every byte over is transferred 163 times on a DeepSeek-V3-sized repo, and a longer header
    // costs only a request for its missing tail.
    const fit = Math.ceil((8 + largestSafetensorsHeader) * 1.01);
    return Math.min(MAX_PREFIX, Math.max(prefixDefault, fit));
  }

  async function bytes(
    path: string,
    size: number,
    offset: number,
    length: number,
    prefix: boolean,
  ): Promise<Buffer> {
    const cached = fromMemory(path, offset, length);
    if (cached) return cached;
    const isShard = prefix && /\.safetensors$/i.test(path);
    // Shard headers are read many at a time: until one header's size is known, the others wait
    // for it, so that they all fetch a prefix that fits instead of two requests each.
    let probeDone: (() => void) | undefined;
    if (isShard && largestSafetensorsHeader === 0) {
      if (probe) await probe;
      else probe = new Promise<void>((resolve) => (probeDone = resolve));
    }
    try {
      const again = fromMemory(path, offset, length);
      if (again) return again;
      // A header longer than the prefix: fetch only the missing tail and join it to what is held.
      const head = (memory.get(path) ?? []).find(
        (x) =>
          x.offset <= offset &&
          x.offset + x.data.length > offset &&
          x.offset + x.data.length < offset + length,
      );
      if (head) {
        const end = head.offset + head.data.length;
        const tail = await client.range(repo, sha, path, end, offset + length - end, size);
        const joined = Buffer.concat([head.data, tail]);
        remember(path, { offset: head.offset, data: joined });
        return joined.subarray(offset - head.offset, offset - head.offset + length);
      }
      const want = prefix ? Math.min(size, Math.max(prefixFor(path), offset + length)) : length;
      const start = prefix ? 0 : offset;
      const data = await client.range(repo, sha, path, start, want, size);
      if (isShard && start === 0 && data.length >= 8) {
        const n = data.readBigUInt64LE(0);
        if (n < BigInt(MAX_RANGE)) largestSafetensorsHeader = Math.max(largestSafetensorsHeader, Number(n));
      }
      remember(path, { offset: start, data });
      return data.subarray(offset - start, offset - start + length);
    } finally {
      probeDone?.();
    }
  }

  async function readAt(path: string, offset: number, length: number, prefix: boolean): Promise<ReadResult> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      return { ok: false, reason: 'was asked for an invalid byte range' };
    }
    await list();
    const size = sizes.get(path);
    if (size === undefined) return { ok: false, reason: 'does not exist' };
    const want = Math.max(0, Math.min(length, size - offset, MAX_RANGE));
    if (want === 0) return { ok: true, data: Buffer.alloc(0), truncated: offset < size, size };
    // A prefix only when the range starts inside it; a range deep in a file is read exactly.
    const usePrefix = prefix && offset + want <= prefixFor(path);
    try {
      const data = await bytes(path, size, offset, want, usePrefix);
      return { ok: true, data, truncated: offset + data.length < size, size };
    } catch (err) {
      if (err instanceof HubError && !isFatal(err)) return { ok: false, reason: reasonOf(err) };
      throw err;
    }
  }

  return {
    target: { kind: 'hub', repo, revision: sha },
    list,
    read: (path, maxBytes) => readAt(path, 0, maxBytes, false),
    readRange: (path, offset, length) => readAt(path, offset, length, true),
  };
}
