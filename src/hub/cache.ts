// A disk cache of what the gate read from the Hub, keyed by repo and resolved commit: listings,
// small files and header byte ranges. A commit never changes, so entries never go stale; only
// `refs/` (branch or tag → commit) is rewritten on each online run. The cache is best-effort:
// an unreadable or corrupt entry is a miss, and a failed write never fails the gate.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';

export { defaultCacheDir } from './settings.js';

export interface HubCache {
  readonly dir: string;
  getRef(repo: string, revision: string): Promise<string | null>;
  putRef(repo: string, revision: string, sha: string): Promise<void>;
  getJson<T>(repo: string, sha: string, name: string, schema: z.ZodType<T>): Promise<T | null>;
  putJson(repo: string, sha: string, name: string, value: unknown): Promise<void>;
  /** Bytes [offset, offset+length) of a file when one stored segment covers them. */
  getRange(repo: string, sha: string, file: string, offset: number, length: number): Promise<Buffer | null>;
  putRange(repo: string, sha: string, file: string, offset: number, data: Buffer): Promise<void>;
}

const hash = (s: string, n = 32) => createHash('sha256').update(s).digest('hex').slice(0, n);
/** Repo ids are validated before they get here; the hash keeps any other byte out of file names. */
const repoKey = (repo: string) => `models--${repo.replace(/[^\w.-]/g, '--')}-${hash(repo, 8)}`;
const shaKey = (sha: string) => (/^[0-9a-f]{40}$/.test(sha) ? sha : `rev-${hash(sha)}`);
const SEGMENT = /^(\d{1,15})-(\d{1,15})\.bin$/;

async function atomicWrite(file: string, data: string | Buffer): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fsp.writeFile(tmp, data);
  await fsp.rename(tmp, file);
}

export function createHubCache(dir: string): HubCache {
  const root = path.join(dir, 'hub', 'v1');
  const snap = (repo: string, sha: string) => path.join(root, repoKey(repo), shaKey(sha));
  const refFile = (repo: string, rev: string) => path.join(root, repoKey(repo), 'refs', `${hash(rev)}.json`);
  const segDir = (repo: string, sha: string, file: string) => path.join(snap(repo, sha), 'seg', hash(file));
  const quiet = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch {
      // best-effort: a read-only or full disk only costs the next run a download
    }
  };

  return {
    dir,
    async getRef(repo, revision) {
      try {
        const v = JSON.parse(await fsp.readFile(refFile(repo, revision), 'utf8')) as unknown;
        const sha = (v as { sha?: unknown } | null)?.sha;
        return typeof sha === 'string' && sha.length > 0 && sha.length <= 200 ? sha : null;
      } catch {
        return null;
      }
    },
    putRef: (repo, revision, sha) =>
      quiet(() => atomicWrite(refFile(repo, revision), JSON.stringify({ revision, sha }))),
    async getJson(repo, sha, name, schema) {
      try {
        const text = await fsp.readFile(path.join(snap(repo, sha), `${name}.json`), 'utf8');
        const parsed = schema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : null;
      } catch {
        return null;
      }
    },
    putJson: (repo, sha, name, value) =>
      quiet(() => atomicWrite(path.join(snap(repo, sha), `${name}.json`), JSON.stringify(value))),
    async getRange(repo, sha, file, offset, length) {
      const dirPath = segDir(repo, sha, file);
      let names: string[];
      try {
        names = await fsp.readdir(dirPath);
      } catch {
        return null;
      }
      for (const n of names) {
        const m = SEGMENT.exec(n);
        if (!m) continue;
        const [start, len] = [Number(m[1]), Number(m[2])];
        if (start > offset || start + len < offset + length) continue;
        try {
          const data = await fsp.readFile(path.join(dirPath, n));
          if (data.length !== len) continue; // torn or tampered
          return data.subarray(offset - start, offset - start + length);
        } catch {
          continue;
        }
      }
      return null;
    },
    putRange: (repo, sha, file, offset, data) =>
      quiet(() => atomicWrite(path.join(segDir(repo, sha, file), `${offset}-${data.length}.bin`), data)),
  };
}
