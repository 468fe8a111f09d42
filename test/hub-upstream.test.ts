// Upstream resolution against a local Hub: a declared base the catalog lacks is read from the Hub,
// its license identified (card id or license text), its chain followed, and the ordinary rules then
// apply to it. Gated, missing, throttled, failing, cyclic, deep and offline upstreams are notes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultCatalog } from '../src/catalog/index.js';
import { runGate } from '../src/gate.js';
import { createHub, hubSettings, upstreamHook } from '../src/hub/setup.js';
import { createLocalSource } from '../src/sources/local.js';
import type { Report, UpstreamRecord } from '../src/types.js';
import { tempDir } from './helpers/fixtures.js';
import { startHubServer, type HubServer } from './helpers/hub-server.js';
import { reportValidator } from './helpers/schema.js';

const validate = reportValidator();
const TOKEN = 'hf_upstreamSECRET0123456789';

// A geometry no catalog family has: learned from the Hub or not known at all.
const ACME_CONFIG = {
  architectures: ['AcmeForCausalLM'],
  model_type: 'acme',
  hidden_size: 3072,
  intermediate_size: 9000,
  num_attention_heads: 24,
  num_key_value_heads: 8,
  num_hidden_layers: 30,
  vocab_size: 77000,
  rope_theta: 12345,
  rms_norm_eps: 1e-5,
};
const MIT_TEXT =
  'MIT License\n\nCopyright (c) 2024 Acme Research\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software and associated documentation files (the "Software"), to deal\nin the Software without restriction, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all\ncopies or substantial portions of the Software.\n';
const LLAMA3_TEXT =
  'META LLAMA 3 COMMUNITY LICENSE AGREEMENT\nMeta Llama 3 Version Release Date: April 18, 2024\n\n"Agreement" means the terms and conditions for use...\n';
const LLAMA31_CONFIG = defaultCatalog().byId.get('meta-llama/llama-3.1-8b')!.config;

const card = (front: string, body = '# Model\n') => `---\n${front}\n---\n${body}`;

let hub: HubServer;

beforeAll(async () => {
  hub = await startHubServer({
    'acme/base-mit': {
      files: {
        'README.md': card('license: mit'),
        'config.json': JSON.stringify(ACME_CONFIG),
        LICENSE: MIT_TEXT,
      },
    },
    // No license in the card: the LICENSE text says what it is.
    'acme/base-llama': {
      files: {
        'README.md': card('tags: [text]'),
        'config.json': JSON.stringify(ACME_CONFIG),
        LICENSE: LLAMA3_TEXT,
      },
    },
    // A fine-tune of a catalog base that declares a looser license than its base's.
    'acme/ft-of-llama': {
      files: {
        'README.md': card('license: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B'),
        'config.json': JSON.stringify(LLAMA31_CONFIG),
      },
    },
    'acme/gated': { files: {}, status: 401 },
    'acme/forbidden': { files: {}, status: 403 },
    'acme/throttled': {
      files: { 'README.md': card('license: mit') },
      fail: { status: 429, times: 2, retryAfter: '1' },
    },
    'acme/failing': { files: {}, fail: { status: 500, times: 1000 } },
    'acme/cyc-a': { files: { 'README.md': card('license: mit\nbase_model: acme/cyc-b') } },
    'acme/cyc-b': { files: { 'README.md': card('license: mit\nbase_model: acme/cyc-a') } },
    ...Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [
        `acme/d${i}`,
        { files: { 'README.md': card(`license: mit\nbase_model: acme/d${i + 1}`) } },
      ]),
    ),
    'acme/private': { files: { 'README.md': card('license: bsd-3-clause') }, token: TOKEN },
  });
});
afterAll(() => hub.close());

function model(files: Record<string, string>): string {
  const dir = tempDir('lg-up-');
  for (const [p, c] of Object.entries(files)) writeFileSync(path.join(dir, p), c);
  return dir;
}

async function check(
  dir: string,
  opts: { token?: string; offline?: boolean; cacheDir?: string; noHub?: boolean } = {},
): Promise<{ report: Report; waits: number[] }> {
  const waits: number[] = [];
  const settings = hubSettings(
    { HF_ENDPOINT: hub.url, ...(opts.token ? { HF_TOKEN: opts.token } : {}) },
    { cacheDir: opts.cacheDir ?? tempDir('lg-cache-'), offline: opts.offline ?? false },
  );
  const h = createHub(settings, { retries: 2, sleep: async (ms) => void waits.push(ms) });
  const report = await runGate({
    source: createLocalSource(dir),
    failOn: 'error',
    ...(opts.noHub ? {} : { upstreams: upstreamHook(h.client) }),
  });
  expect(validate(report)).toBe(true);
  return { report, waits };
}

const rules = (r: Report) => r.models.flatMap((m) => m.findings.map((f) => f.rule));
const ups = (r: Report): UpstreamRecord[] => r.models[0].upstreams ?? [];

describe('a base the catalog lacks, learned from the Hub', () => {
  const derivative = (extra: Record<string, string> = {}) =>
    model({
      'config.json': JSON.stringify({ ...ACME_CONFIG, torch_dtype: 'bfloat16' }),
      'README.md': card('license: mit\nbase_model: acme/base-mit'),
      ...extra,
    });

  test('MIT upstream: its copyright and permission notice must travel (missing-upstream-license)', async () => {
    const { report } = await check(derivative());
    expect(ups(report)).toEqual([
      {
        id: 'acme/base-mit',
        status: 'resolved',
        license: 'mit',
        via: 'README.md:3',
        detail: 'license from README.md license: mit',
      },
    ]);
    expect(report.models[0].lineage[0]).toMatchObject({
      base: 'acme/base-mit',
      strength: 'strong',
      declared: true,
    });
    const f = report.models[0].findings.find((x) => x.rule === 'missing-upstream-license');
    expect(f).toMatchObject({ severity: 'error', base: 'acme/base-mit' });
    expect(f?.message).toContain('Copyright (c) 2024 Acme Research');
    expect(f?.fix).toContain('Copyright (c) 2024 Acme Research');
    expect(report.verdict).toBe('fail');
  });

  test('the same repo passes once it ships the upstream notice; without the Hub nothing is known', async () => {
    const { report } = await check(derivative({ NOTICE: MIT_TEXT }));
    expect(rules(report)).not.toContain('missing-upstream-license');
    expect(report.verdict).toBe('pass');
    const offline = await check(derivative(), { noHub: true });
    expect(offline.report.models[0].lineage).toEqual([]);
    expect(rules(offline.report)).not.toContain('missing-upstream-license');
  });

  test('Llama-style upstream identified by its LICENSE text: notice and conflict obligations flow down', async () => {
    const dir = model({
      'config.json': JSON.stringify(ACME_CONFIG),
      'README.md': card('license: apache-2.0\nbase_model: acme/base-llama'),
    });
    const { report } = await check(dir);
    expect(ups(report)[0]).toMatchObject({ id: 'acme/base-llama', status: 'resolved', license: 'llama3' });
    expect(ups(report)[0].detail).toBe('license from LICENSE (text)');
    expect(rules(report)).toEqual(expect.arrayContaining(['license-conflict', 'missing-notice']));
    const notice = report.models[0].findings.find((f) => f.rule === 'missing-notice');
    expect(notice?.fix).toContain('Meta Llama 3 is licensed under the Meta Llama 3 Community License');
  });

  test('a chain to a catalog base: the family and the stricter license of the base flow down', async () => {
    const dir = model({
      'config.json': JSON.stringify(LLAMA31_CONFIG),
      'README.md': card('license: apache-2.0\nbase_model: acme/ft-of-llama'),
    });
    const { report } = await check(dir);
    expect(ups(report)).toEqual([
      {
        id: 'acme/ft-of-llama',
        status: 'resolved',
        license: 'llama3.1',
        via: 'README.md:3',
        chain: ['acme/ft-of-llama', 'meta-llama/Llama-3.1-8B'],
        detail: 'license from README.md license: apache-2.0; inherits llama3.1 from meta-llama/Llama-3.1-8B',
      },
      {
        id: 'meta-llama/Llama-3.1-8B',
        status: 'resolved',
        license: 'llama3.1',
        via: 'acme/ft-of-llama',
        detail: 'in the catalog',
      },
    ]);
    // The declared fine-tune is now known to be a Llama 3.1 model: the base counts as declared.
    expect(report.models[0].lineage[0]).toMatchObject({ family: 'llama-3.1', declared: true });
    expect(rules(report)).toEqual(expect.arrayContaining(['license-conflict', 'missing-notice']));
    expect(rules(report)).not.toContain('undeclared-base');
    // Without the Hub the same repo only gets the "unknown intermediate" warning.
    const { report: blind } = await check(dir, { noHub: true });
    expect(blind.models[0].findings.find((f) => f.rule === 'undeclared-base')?.severity).toBe('warning');
  });
});

describe('upstreams that cannot be verified are notes, never crashes', () => {
  const declaring = (id: string) =>
    model({
      'config.json': JSON.stringify(ACME_CONFIG),
      'README.md': card(`license: mit\nbase_model: ${id}`),
    });

  test.each([
    ['acme/gated', 'gated', /^cannot verify upstream acme\/gated: gated \(HTTP 401: not authorized/],
    ['acme/forbidden', 'gated', /^cannot verify upstream acme\/forbidden: gated \(HTTP 403: access denied/],
    ['acme/missing', 'missing', /^cannot verify upstream acme\/missing: missing \(HTTP 404: not found\)$/],
    ['acme/failing', 'error', /^cannot verify upstream acme\/failing: server \(HTTP 500/],
  ])('%s → %s', async (id, status, detail) => {
    const { report } = await check(declaring(id));
    expect(ups(report)).toHaveLength(1);
    expect(ups(report)[0]).toMatchObject({ id, status, license: null, via: 'README.md:3' });
    expect(ups(report)[0].detail).toMatch(detail);
    expect(report.models[0].lineage).toEqual([]);
  });

  test('throttled (429 with Retry-After, twice) then answered: resolved after waiting as told', async () => {
    const { report, waits } = await check(declaring('acme/throttled'));
    expect(ups(report)[0]).toMatchObject({ id: 'acme/throttled', status: 'resolved', license: 'mit' });
    expect(waits).toEqual([1000, 1000]);
  });

  test('a cycle is detected and the walk ends', async () => {
    const { report } = await check(declaring('acme/cyc-a'));
    expect(ups(report).map((u) => [u.id, u.via])).toEqual([
      ['acme/cyc-a', 'README.md:3'],
      ['acme/cyc-b', 'acme/cyc-a'],
    ]);
    expect(ups(report)[1].detail).toContain('cycle: acme/cyc-a is also a descendant');
  });

  test('a long chain stops after 5 levels above the declared base', async () => {
    const { report } = await check(declaring('acme/d0'));
    expect(ups(report).map((u) => u.id)).toEqual([
      'acme/d0',
      'acme/d1',
      'acme/d2',
      'acme/d3',
      'acme/d4',
      'acme/d5',
    ]);
    expect(ups(report)[0].chain).toHaveLength(6);
    expect(ups(report)[5].detail).toContain('stopped after 5 levels at acme/d6');
  });

  test('offline: an upstream not in the cache is "offline"; once cached, offline resolves it with no request', async () => {
    const cacheDir = tempDir('lg-cache-');
    const dir = declaring('acme/base-mit');
    hub.log.length = 0;
    const cold = await check(dir, { offline: true, cacheDir });
    expect(hub.log).toEqual([]);
    expect(ups(cold.report)[0]).toMatchObject({ status: 'offline', license: null });
    expect(ups(cold.report)[0].detail).toBe(
      `cannot verify upstream acme/base-mit: offline (not in the cache (${cacheDir}); run once without --offline to fill it)`,
    );
    const online = await check(dir, { cacheDir });
    hub.log.length = 0;
    const warm = await check(dir, { offline: true, cacheDir });
    expect(hub.log).toEqual([]);
    expect(warm.report).toEqual(online.report);
    expect(ups(warm.report)[0]).toMatchObject({ status: 'resolved', license: 'mit' });
  });

  test('a private upstream is read with the token, and the token appears nowhere in the report', async () => {
    const dir = declaring('acme/private');
    const without = await check(dir);
    expect(ups(without.report)[0].status).toBe('gated');
    const { report } = await check(dir, { token: TOKEN });
    expect(ups(report)[0]).toMatchObject({ status: 'resolved', license: 'spdx:BSD-3-Clause' });
    expect(JSON.stringify(report)).not.toContain(TOKEN);
    expect(JSON.stringify(without.report)).not.toContain(TOKEN);
  });
});
