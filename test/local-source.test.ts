import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLocalSource } from '../src/sources/local.js';

let root: string;

beforeEach(async () => {
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'lg-local-'));
});

afterEach(async () => {
  await fsp.rm(root, { recursive: true, force: true });
});

async function write(rel: string, content: string | Buffer = 'x'): Promise<void> {
  await fsp.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await fsp.writeFile(path.join(root, rel), content);
}

describe('createLocalSource', () => {
  it('keeps the root as given in the target', () => {
    expect(createLocalSource('some/relative/dir').target).toEqual({
      kind: 'local',
      path: 'some/relative/dir',
    });
  });

  it('lists files recursively, sorted, relative with / separators, skipping .git and node_modules', async () => {
    await write('config.json', '{}');
    await write('b/z.txt', 'zz');
    await write('b/a/deep.md', 'deep');
    await write('.git/HEAD', 'ref');
    await write('node_modules/pkg/index.js', '1');
    await write('sub/node_modules/x.js', '1');
    const { entries, notes } = await createLocalSource(root).list();
    expect(entries).toEqual([
      { path: 'b/a/deep.md', size: 4, kind: 'file' },
      { path: 'b/z.txt', size: 2, kind: 'file' },
      { path: 'config.json', size: 2, kind: 'file' },
    ]);
    expect(notes).toEqual([]);
  });

  it('reports a symlink to /etc/passwd as link-outside and refuses to read it', async () => {
    await fsp.symlink('/etc/passwd', path.join(root, 'LICENSE'));
    const src = createLocalSource(root);
    const { entries } = await src.list();
    expect(entries).toEqual([{ path: 'LICENSE', size: 0, kind: 'link-outside' }]);
    const r = await src.read('LICENSE', 1024);
    expect(r).toEqual({ ok: false, reason: 'is a symbolic link that points outside the repository' });
  });

  it('refuses a file reached through a linked directory that leaves the root', async () => {
    await fsp.symlink('/etc', path.join(root, 'etc'));
    const src = createLocalSource(root);
    expect((await src.list()).entries).toEqual([{ path: 'etc', size: 0, kind: 'link-outside' }]);
    const r = await src.read('etc/passwd', 1024);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/symbolic link that points outside/);
  });

  it('reads a symlink whose target stays inside the root', async () => {
    await write('docs/LICENSE.txt', 'Apache License');
    await fsp.symlink('docs/LICENSE.txt', path.join(root, 'LICENSE'));
    const src = createLocalSource(root);
    const { entries } = await src.list();
    expect(entries).toContainEqual({ path: 'LICENSE', size: 14, kind: 'file' });
    const r = await src.read('LICENSE', 1024);
    expect(r.ok && r.data.toString()).toBe('Apache License');
  });

  it('reports looping and dangling links as link-broken, and does not descend linked directories', async () => {
    await fsp.symlink('loop-b', path.join(root, 'loop-a'));
    await fsp.symlink('loop-a', path.join(root, 'loop-b'));
    await fsp.symlink('missing', path.join(root, 'dangling'));
    await write('real/file.txt', 'x');
    await fsp.symlink('.', path.join(root, 'real/self'));
    const src = createLocalSource(root);
    const { entries } = await src.list();
    expect(entries).toEqual([
      { path: 'dangling', size: 0, kind: 'link-broken' },
      { path: 'loop-a', size: 0, kind: 'link-broken' },
      { path: 'loop-b', size: 0, kind: 'link-broken' },
      { path: 'real/file.txt', size: 1, kind: 'file' },
    ]);
    const r = await src.read('loop-a', 10);
    expect(r.ok).toBe(false);
  });

  it('reports a FIFO named LICENSE as special, and read() refuses it without blocking', async () => {
    execFileSync('mkfifo', [path.join(root, 'LICENSE')]);
    const src = createLocalSource(root);
    expect((await src.list()).entries).toEqual([{ path: 'LICENSE', size: 0, kind: 'special' }]);
    const started = Date.now();
    const r = await src.read('LICENSE', 1024);
    expect(r).toEqual({ ok: false, reason: 'is not a regular file' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads at most maxBytes of a 5 MB file and says it was truncated', async () => {
    await write('model.bin', Buffer.alloc(5 * 1024 * 1024, 0x61));
    const r = await createLocalSource(root).read('model.bin', 1000);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data.length).toBe(1000);
    expect(r.truncated).toBe(true);
    expect(r.size).toBe(5 * 1024 * 1024);
  });

  it('reads a small file whole, not truncated', async () => {
    await write('NOTICE', 'hello');
    const r = await createLocalSource(root).read('NOTICE', 1000);
    expect(r).toEqual({ ok: true, data: Buffer.from('hello'), truncated: false, size: 5 });
  });

  it('readRange reads at an offset and clamps at the end', async () => {
    await write('h.bin', '0123456789');
    const src = createLocalSource(root);
    const mid = await src.readRange('h.bin', 2, 3);
    expect(mid.ok && mid.data.toString()).toBe('234');
    expect(mid.ok && mid.truncated).toBe(true);
    const end = await src.readRange('h.bin', 8, 100);
    expect(end.ok && end.data.toString()).toBe('89');
    expect(end.ok && end.truncated).toBe(false);
  });

  it('refuses .. segments, absolute paths and missing files', async () => {
    const outside = await fsp.mkdtemp(path.join(os.tmpdir(), 'lg-out-'));
    try {
      await fsp.writeFile(path.join(outside, 'secret'), 'secret');
      await write('a/b.txt', 'b');
      const src = createLocalSource(path.join(root, 'a'));
      const rel = path.relative(path.join(root, 'a'), path.join(outside, 'secret'));
      const up = await src.read(rel, 100);
      expect(up.ok).toBe(false);
      expect(!up.ok && up.reason).toMatch(/\.\./);
      expect((await src.read('sub/../../x', 100)).ok).toBe(false);
      const abs = await src.read(path.join(outside, 'secret'), 100);
      expect(!abs.ok && abs.reason).toMatch(/absolute/);
      expect(await src.read('nope.txt', 100)).toEqual({ ok: false, reason: 'does not exist' });
      expect(await src.read('.', 100)).toEqual({ ok: false, reason: 'is not a regular file' });
    } finally {
      await fsp.rm(outside, { recursive: true, force: true });
    }
  });

  it('fails list() with one plain sentence when the root is missing or a file', async () => {
    await expect(createLocalSource(path.join(root, 'nope')).list()).rejects.toThrow(/nope does not exist$/);
    await write('file.txt');
    await expect(createLocalSource(path.join(root, 'file.txt')).list()).rejects.toThrow(
      /is not a directory$/,
    );
  });

  it('stops at the entry cap with a note', async () => {
    for (let i = 0; i < 20; i++) await write(`f${String(i).padStart(2, '0')}.txt`);
    const { entries, notes } = await createLocalSource(root, { maxEntries: 5 }).list();
    expect(entries.map((e) => e.path)).toEqual(['f00.txt', 'f01.txt', 'f02.txt', 'f03.txt', 'f04.txt']);
    expect(notes).toEqual(['stopped listing after 5 files']);
  });

  it('stops at the depth cap with a note', async () => {
    await write('a/b/c/d/deep.txt');
    await write('a/shallow.txt');
    const { entries, notes } = await createLocalSource(root, { maxDepth: 2 }).list();
    expect(entries.map((e) => e.path)).toEqual(['a/shallow.txt']);
    expect(notes).toEqual(['did not descend deeper than 2 directory levels']);
  });
});
