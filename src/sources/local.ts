// A RepoSource over a local checkout. The checkout is untrusted: links may point anywhere, names may
// be FIFOs, trees may be huge or deep. Every read re-checks where the path really lands, because a
// caller may pass a name that list() never produced, or the tree may change between list and read.
import { constants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ReadResult, RepoEntry, RepoSource } from './source.js';

export interface LocalLimits {
  /** Most entries list() reports before it stops. */
  maxEntries: number;
  /** Deepest directory level list() descends into (root is level 0). */
  maxDepth: number;
}

const DEFAULT_LIMITS: LocalLimits = { maxEntries: 50_000, maxDepth: 32 };
const SKIPPED_DIRS = new Set(['.git', 'node_modules']);
// O_NONBLOCK: opening a FIFO for reading must never wait for a writer. O_NOFOLLOW: the final component
// must not have become a link since we resolved it. Both are 0 where the platform lacks them.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

function errCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err
    ? String((err as { code: unknown }).code)
    : '';
}

function isInside(realRoot: string, real: string): boolean {
  if (real === realRoot) return true;
  const prefix = realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep;
  return real.startsWith(prefix);
}

function reasonFor(err: unknown): string {
  switch (errCode(err)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'does not exist';
    case 'ELOOP':
      return 'is a symbolic link that loops or points nowhere';
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'EISDIR':
      return 'is not a regular file';
    default: {
      const code = errCode(err);
      return code ? `cannot be read (${code})` : 'cannot be read';
    }
  }
}

/** Rejects names that could escape the root before touching the file system. */
function checkRelative(rel: string): string | null {
  if (typeof rel !== 'string' || rel === '' || rel.includes('\0')) return 'is not a valid path';
  if (rel.startsWith('/') || rel.startsWith('\\') || path.isAbsolute(rel) || /^[A-Za-z]:/.test(rel)) {
    return 'is an absolute path; only paths inside the repository can be read';
  }
  if (rel.split(/[/\\]/).includes('..')) return "contains '..'; only paths inside the repository can be read";
  return null;
}

export function createLocalSource(root: string, limits?: Partial<LocalLimits>): RepoSource {
  const lim: LocalLimits = { ...DEFAULT_LIMITS, ...limits };
  let realRootPromise: Promise<string> | undefined;
  const realRoot = (): Promise<string> => (realRootPromise ??= fsp.realpath(root));

  async function list(): Promise<{ entries: RepoEntry[]; notes: string[] }> {
    let rootReal: string;
    try {
      rootReal = await realRoot();
      if (!(await fsp.stat(rootReal)).isDirectory()) throw Object.assign(new Error(), { code: 'ENOTDIR' });
    } catch (err) {
      // One plain sentence for the CLI's error line; no raw errno text.
      throw new Error(`${root} ${errCode(err) === 'ENOTDIR' ? 'is not a directory' : reasonFor(err)}`, {
        cause: err,
      });
    }
    const entries: RepoEntry[] = [];
    const notes: string[] = [];
    // Directories cost work too: bound them so a tree of empty folders cannot run forever.
    const maxScanned = lim.maxEntries * 4;
    let scanned = 0;
    let stopped = false;
    let depthNoted = false;
    const stack: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }];

    let undecodable = 0;
    const stop = (): void => {
      stopped = true;
    };

    while (stack.length > 0 && !stopped) {
      const { rel, depth } = stack.pop()!;
      const absDir = rel ? path.join(rootReal, rel) : rootReal;
      const names: { name: string; isDir: boolean; isLink: boolean }[] = [];
      let dir;
      try {
        dir = await fsp.opendir(absDir);
      } catch (err) {
        notes.push(`could not list ${rel || '.'}: ${reasonFor(err)}`);
        continue;
      }
      try {
        for await (const d of dir) {
          if (++scanned > maxScanned) {
            stop();
            break;
          }
          names.push({ name: d.name, isDir: d.isDirectory(), isLink: d.isSymbolicLink() });
        }
      } catch (err) {
        notes.push(`could not list ${rel || '.'}: ${reasonFor(err)}`);
      }
      // Sorted so that a capped listing is still deterministic.
      names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: string[] = [];
      for (const { name } of names) {
        if (entries.length >= lim.maxEntries) {
          stop();
          break;
        }
        const childRel = rel ? `${rel}/${name}` : name;
        const abs = path.join(absDir, name);
        let st;
        try {
          st = await fsp.lstat(abs);
        } catch {
          // A name that is not valid UTF-8 comes back with U+FFFD and cannot be opened by that string.
          if (name.includes('\ufffd')) undecodable++;
          continue; // otherwise: vanished while listing
        }
        if (st.isDirectory()) {
          if (SKIPPED_DIRS.has(name)) continue;
          if (depth + 1 > lim.maxDepth) {
            if (!depthNoted) notes.push(`did not descend deeper than ${lim.maxDepth} directory levels`);
            depthNoted = true;
            continue;
          }
          subdirs.push(childRel);
        } else if (st.isFile()) {
          entries.push({ path: childRel, size: st.size, kind: 'file' });
        } else if (st.isSymbolicLink()) {
          const entry = await classifyLink(rootReal, abs, childRel);
          if (entry) entries.push(entry);
        } else {
          entries.push({ path: childRel, size: 0, kind: 'special' });
        }
      }
      // Reverse so the stack pops them in sorted order.
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push({ rel: subdirs[i], depth: depth + 1 });
    }
    // Said once at the end: names already read from the last directory are still listed up to the cap.
    // The gate reports this note as a malformed-file finding.
    if (stopped) notes.push(`stopped listing after ${entries.length} files`);
    if (undecodable > 0) {
      notes.push(`skipped ${undecodable} file name${undecodable === 1 ? '' : 's'} that are not valid UTF-8`);
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { entries, notes };
  }

  async function classifyLink(rootReal: string, abs: string, rel: string): Promise<RepoEntry | null> {
    let real: string;
    try {
      real = await fsp.realpath(abs);
    } catch {
      return { path: rel, size: 0, kind: 'link-broken' };
    }
    if (!isInside(rootReal, real)) return { path: rel, size: 0, kind: 'link-outside' };
    let st;
    try {
      st = await fsp.stat(real);
    } catch {
      return { path: rel, size: 0, kind: 'link-broken' };
    }
    if (st.isFile()) return { path: rel, size: st.size, kind: 'file' };
    // A linked directory inside the root is listed through its real path already; following it
    // could loop.
    if (st.isDirectory()) return null;
    return { path: rel, size: 0, kind: 'special' };
  }

  /** Resolves `rel` to an open handle on a regular file inside the root, or a reason why not. */
  async function openInside(rel: string): Promise<{ fh: FileHandle; size: number } | { reason: string }> {
    const bad = checkRelative(rel);
    if (bad) return { reason: bad };
    let rootReal: string;
    try {
      rootReal = await realRoot();
    } catch (err) {
      return { reason: `cannot be read: the repository root ${reasonFor(err)}` };
    }
    const abs = path.join(rootReal, rel);
    let isLink: boolean;
    let real: string;
    try {
      isLink = (await fsp.lstat(abs)).isSymbolicLink();
      real = await fsp.realpath(abs);
    } catch (err) {
      return { reason: reasonFor(err) };
    }
    // realpath also catches a linked parent directory, which lstat of the last component cannot.
    if (!isInside(rootReal, real)) {
      return {
        reason: isLink
          ? 'is a symbolic link that points outside the repository'
          : 'lies behind a symbolic link that points outside the repository',
      };
    }
    try {
      if (!(await fsp.stat(real)).isFile()) return { reason: 'is not a regular file' };
    } catch (err) {
      return { reason: reasonFor(err) };
    }
    let fh: FileHandle;
    try {
      fh = await fsp.open(real, OPEN_FLAGS);
    } catch (err) {
      return { reason: reasonFor(err) };
    }
    try {
      // Check the opened object itself: the name may have been swapped since the checks above.
      const st = await fh.stat();
      if (!st.isFile()) {
        await fh.close();
        return { reason: 'is not a regular file' };
      }
      return { fh, size: st.size };
    } catch (err) {
      await fh.close().catch(() => undefined);
      return { reason: reasonFor(err) };
    }
  }

  async function readAt(rel: string, offset: number, length: number): Promise<ReadResult> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      return { ok: false, reason: 'was asked for an invalid byte range' };
    }
    const opened = await openInside(rel);
    if ('reason' in opened) return { ok: false, reason: opened.reason };
    const { fh, size } = opened;
    try {
      const want = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.alloc(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
        if (bytesRead === 0) break; // shrank while reading
        got += bytesRead;
      }
      return { ok: true, data: buf.subarray(0, got), truncated: offset + got < size, size };
    } catch (err) {
      return { ok: false, reason: reasonFor(err) };
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  return {
    target: { kind: 'local', path: root },
    list,
    read: (rel, maxBytes) => readAt(rel, 0, maxBytes),
    readRange: readAt,
  };
}
