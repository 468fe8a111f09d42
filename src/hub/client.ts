// The few Hub operations the gate needs — resolve a revision, list a tree, read a byte range —
// through @huggingface/hub (modelInfo, listFiles) and the wrapped fetch, with the disk cache in
// front and --offline honoured. Everything the server sends is validated; every failure is a
// HubError.
import { listFiles, modelInfo } from '@huggingface/hub';
import * as z from 'zod';
import type { HubCache } from './cache.js';
import { HubError, toHubError } from './errors.js';

import { hubBlobUrl } from './settings.js';

export { DEFAULT_ENDPOINT, isHubRepoId, isRevision } from './settings.js';

export interface TreeEntry {
  path: string;
  size: number;
  lfsOid?: string;
}

export interface Tree {
  entries: TreeEntry[];
  /** Entries the server sent that were not usable files (bad types, unsafe paths). */
  skipped: number;
  truncated: boolean;
}

const TreeItem = z.object({
  type: z.string(),
  path: z.string().min(1).max(4096),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  lfs: z.object({ oid: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
});
const TreeSchema = z.object({
  entries: z.array(z.object({ path: z.string(), size: z.number(), lfsOid: z.string().optional() })),
  skipped: z.number(),
  truncated: z.boolean(),
});
const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');
const SHA = /^[0-9a-f]{40}$/;

/** True for a relative path with no empty, `.` or `..` segment and no NUL or backslash. */
export function isSafeRepoPath(p: string): boolean {
  if (p.includes('\0') || p.includes('\\') || p.startsWith('/')) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** Largest byte count accepted when a server ignores Range and sends the file from its start. */
const MAX_UNRANGED = 8 * 1024 * 1024;

export interface HubClientOptions {
  endpoint: string;
  /** The wrapped fetch of createHubFetch: it adds the token and throws HubError on bad statuses. */
  fetch: typeof fetch;
  cache?: HubCache | null;
  offline?: boolean;
}

export interface HubClient {
  readonly endpoint: string;
  readonly offline: boolean;
  /** The commit a branch or tag points to (the revision itself when the server does not say). */
  resolve(repo: string, revision: string): Promise<string>;
  tree(repo: string, sha: string, opts: { recursive: boolean; maxEntries: number }): Promise<Tree>;
  /**
   * Bytes [offset, offset+length) — fewer when the file ends sooner; never more. With the file's
   * `size`, a read of the whole file is a plain GET (the Hub may compress it); else a Range request.
   */
  range(
    repo: string,
    sha: string,
    file: string,
    offset: number,
    length: number,
    size?: number,
  ): Promise<Buffer>;
  /** Web address of a file, for the `sources` of learned catalog entries. */
  blobUrl(repo: string, sha: string, file: string): string;
}

/** Reads at most `limit` bytes of a body and cancels the rest (a lying server cannot send more). */
export async function readBounded(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Buffer[] = [];
  let got = 0;
  try {
    while (got < limit) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(chunks, got);
      const part = Buffer.from(value.buffer, value.byteOffset, Math.min(value.byteLength, limit - got));
      chunks.push(part);
      got += part.length;
    }
    await reader.cancel().catch(() => undefined);
    return Buffer.concat(chunks, got);
  } finally {
    reader.releaseLock();
  }
}

export function createHubClient(options: HubClientOptions): HubClient {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const cache = options.cache ?? null;
  const offline = options.offline ?? false;
  const fetchFn = options.fetch;

  const offlineMiss = (what: string) =>
    new HubError(
      'offline',
      `not in the cache${cache ? ` (${cache.dir})` : ''}; run once without --offline to fill it`,
      undefined,
      what,
    );

  async function resolve(repo: string, revision: string): Promise<string> {
    if (SHA.test(revision)) return revision;
    if (offline) {
      const sha = await cache?.getRef(repo, revision);
      if (sha) return sha;
      throw offlineMiss(`${repo}@${revision}`);
    }
    let sha: unknown;
    try {
      const info = await modelInfo({
        name: repo,
        revision,
        hubUrl: endpoint,
        fetch: fetchFn,
        additionalFields: ['sha'],
      });
      sha = (info as { sha?: unknown }).sha;
    } catch (err) {
      throw toHubError(err, `${repo}@${revision}`);
    }
    if (typeof sha === 'string' && SHA.test(sha)) {
      await cache?.putRef(repo, revision, sha);
      return sha;
    }
    return revision;
  }

  async function tree(
    repo: string,
    sha: string,
    opts: { recursive: boolean; maxEntries: number },
  ): Promise<Tree> {
    const name = opts.recursive ? 'tree-recursive' : 'tree-root';
    const cacheable = SHA.test(sha);
    if (cacheable) {
      const hit = await cache?.getJson(repo, sha, name, TreeSchema);
      if (hit) return hit;
    }
    if (offline) throw offlineMiss(`the file list of ${repo}@${sha}`);
    const out: Tree = { entries: [], skipped: 0, truncated: false };
    try {
      for await (const raw of listFiles({
        repo,
        revision: encodeURIComponent(sha),
        recursive: opts.recursive,
        expand: false,
        hubUrl: endpoint,
        fetch: fetchFn,
      })) {
        const item = TreeItem.safeParse(raw);
        if (!item.success) {
          out.skipped++;
          continue;
        }
        if (item.data.type !== 'file') continue;
        if (!isSafeRepoPath(item.data.path)) {
          out.skipped++;
          continue;
        }
        if (out.entries.length >= opts.maxEntries) {
          out.truncated = true;
          break;
        }
        out.entries.push({
          path: item.data.path,
          size: item.data.size,
          ...(item.data.lfs ? { lfsOid: item.data.lfs.oid } : {}),
        });
      }
    } catch (err) {
      throw toHubError(err, `the file list of ${repo}`);
    }
    if (cacheable) await cache?.putJson(repo, sha, name, out);
    return out;
  }

  async function range(
    repo: string,
    sha: string,
    file: string,
    offset: number,
    length: number,
    size?: number,
  ): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    const cacheable = SHA.test(sha);
    if (cacheable) {
      const hit = await cache?.getRange(repo, sha, file, offset, length);
      if (hit) return hit;
    }
    const what = `${repo}/${file}`;
    if (offline) throw offlineMiss(what);
    const url = `${endpoint}/${repo}/resolve/${encodeURIComponent(sha)}/${encodePath(file)}`;
    let data: Buffer;
    try {
      const whole = offset === 0 && size !== undefined && length >= size;
      const res = await fetchFn(
        url,
        whole ? {} : { headers: { Range: `bytes=${offset}-${offset + length - 1}` } },
      );
      if (res.status === 416) {
        await res.body?.cancel().catch(() => undefined);
        return Buffer.alloc(0);
      }
      if (res.status === 206) {
        const start = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
        if (start && Number(start[1]) !== offset) {
          await res.body?.cancel().catch(() => undefined);
          throw new HubError('bad-response', 'the Hub sent another byte range than asked', undefined, what);
        }
        data = await readBounded(res.body, length);
      } else if (whole) {
        data = await readBounded(res.body, length);
      } else {
        // The server ignored Range: the body starts at byte 0. Fine for a small prefix; a weight
        // file is never streamed past the bound.
        if (offset + length > MAX_UNRANGED) {
          await res.body?.cancel().catch(() => undefined);
          throw new HubError('bad-response', 'the Hub ignored the byte-range request', undefined, what);
        }
        data = (await readBounded(res.body, offset + length)).subarray(offset);
      }
    } catch (err) {
      throw toHubError(err, what);
    }
    if (cacheable && data.length > 0) await cache?.putRange(repo, sha, file, offset, data);
    return data;
  }

  return {
    endpoint,
    offline,
    resolve,
    tree,
    range,
    blobUrl: (repo, sha, file) => hubBlobUrl(endpoint, repo, sha, file),
  };
}
