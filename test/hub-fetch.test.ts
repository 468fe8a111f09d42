// Network reality for the Hub fetch: retries with backoff on 429/5xx honouring Retry-After,
// status classification, a dead network failing once, timeouts, bounded concurrency, the token
// sent only to the Hub and never echoed, the byte counter.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubError, scrub } from '../src/hub/errors.js';
import { createHubFetch, retryAfterMs, type HubFetchOptions } from '../src/hub/fetch.js';
import { startHubServer, type HubServer } from './helpers/hub-server.js';

let server: HubServer;
const TOKEN = 'hf_testSECRETtoken1234567890';

beforeAll(async () => {
  server = await startHubServer({ 'acme/m': { files: { 'a.txt': 'hello world' } } });
});
afterAll(() => server.close());
beforeEach(() => {
  server.log.length = 0;
  server.override = null;
  delete server.repos['acme/m'].fail;
  delete server.repos['acme/m'].status;
});

function net(extra: Partial<HubFetchOptions> = {}) {
  const waits: number[] = [];
  const f = createHubFetch({
    endpoint: server.url,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { ...f, waits };
}

const fileUrl = () => `${server.url}/acme/m/resolve/main/a.txt`;

describe('retries', () => {
  test('429 with Retry-After in seconds: waits that long, then gets the file', async () => {
    server.repos['acme/m'].fail = { status: 429, times: 2, retryAfter: '2' };
    const { fetch, waits, stats } = net();
    const res = await fetch(fileUrl());
    expect(await res.text()).toBe('hello world');
    expect(waits).toEqual([2000, 2000]);
    expect(server.log.map((r) => r.status)).toEqual([429, 429, 200]);
    expect(stats.retries).toBe(2);
  });

  test('Retry-After as an HTTP date, and capped by maxDelayMs', async () => {
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeGreaterThan(1500);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())).toBeLessThanOrEqual(3000);
    expect(retryAfterMs('soon')).toBeNull();
    server.repos['acme/m'].fail = { status: 503, times: 1, retryAfter: '3600' };
    const { fetch, waits } = net({ maxDelayMs: 5000 });
    expect((await fetch(fileUrl())).status).toBe(200);
    expect(waits).toEqual([5000]);
  });

  test('5xx without Retry-After: exponential backoff, then success', async () => {
    server.repos['acme/m'].fail = { status: 500, times: 3 };
    const { fetch, waits } = net({ baseDelayMs: 100 });
    expect((await fetch(fileUrl())).status).toBe(200);
    expect(waits).toEqual([100, 200, 400]);
  });

  test('a Hub failing every time: a server HubError after the last retry', async () => {
    server.repos['acme/m'].fail = { status: 500, times: 100 };
    const { fetch } = net({ retries: 3 });
    const err = await fetch(fileUrl()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect(err).toMatchObject({ kind: 'server', status: 500 });
    expect(server.log).toHaveLength(4);
  });

  test.each([
    [401, 'unauthorized'],
    [403, 'gated'],
  ])('%i is %s, and is not retried', async (status, kind) => {
    server.repos['acme/m'].status = status;
    const { fetch } = net();
    await expect(fetch(fileUrl())).rejects.toMatchObject({ kind, status });
    expect(server.log).toHaveLength(1);
  });

  test("404 with the Hub's RepoNotFound code is missing (also when the status is 401)", async () => {
    const { fetch } = net();
    await expect(fetch(`${server.url}/acme/none/resolve/main/x`)).rejects.toMatchObject({ kind: 'missing' });
    server.override = (_req, res) => {
      res.writeHead(401, { 'x-error-code': 'RepoNotFound' });
      res.end();
      return true;
    };
    await expect(fetch(fileUrl())).rejects.toMatchObject({ kind: 'missing', status: 401 });
  });
});

describe('a dead or slow network', () => {
  test('connection refused: one network HubError after the retries; later calls fail without trying', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const endpoint = `http://127.0.0.1:${port}`;
    const { fetch: f, waits } = net({ endpoint, fetch: counting, retries: 2 });
    const err = await f(`${endpoint}/api/models/a/b`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).kind).toBe('network');
    expect((err as HubError).message).toMatch(/^cannot reach the Hub \(ECONNREFUSED\)$/);
    expect(calls).toBe(3);
    expect(waits).toHaveLength(2);
    await expect(f(`${endpoint}/api/models/c/d`)).rejects.toBe(err);
    expect(calls).toBe(3);
  });

  test('a server that never answers: a timeout HubError', async () => {
    server.override = () => true; // keep the socket open, never respond
    const { fetch } = net({ timeoutMs: 150, retries: 1 });
    await expect(fetch(fileUrl())).rejects.toMatchObject({ kind: 'timeout' });
    expect(server.log).toHaveLength(2);
  });
});

describe('bounds', () => {
  test('no more than `concurrency` requests are in flight, bodies included', async () => {
    let inFlight = 0;
    let most = 0;
    server.override = (_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        res.writeHead(200, { 'content-length': '2' });
        res.end('ok', () => inFlight--);
      }, 30);
      return true;
    };
    const { fetch } = net({ concurrency: 3 });
    const bodies = await Promise.all(
      Array.from({ length: 10 }, () => fetch(fileUrl()).then((r) => r.text())),
    );
    expect(bodies).toEqual(Array(10).fill('ok'));
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
  });

  test('counts body bytes, and refuses a body over maxBodyBytes', async () => {
    const { fetch, stats } = net({ maxBodyBytes: 5 });
    const res = await fetch(fileUrl());
    await expect(res.text()).rejects.toThrow();
    const ok = net();
    await (await ok.fetch(fileUrl())).text();
    expect(ok.stats.bytes).toBe(11);
    expect(stats.requests).toBe(1);
  });
});

describe('the token', () => {
  test('is sent as a Bearer token to the Hub only, and appears in no error message', async () => {
    const other = await startHubServer({ 'acme/m': { files: { 'a.txt': 'x' } } });
    try {
      const { fetch } = net({ token: TOKEN });
      await (await fetch(fileUrl())).text();
      await (await fetch(`${other.url}/acme/m/resolve/main/a.txt`)).text();
      expect(server.log[0].authorization).toBe(`Bearer ${TOKEN}`);
      expect(other.log[0].authorization).toBeUndefined();
      server.repos['acme/m'].status = 403;
      const err = (await fetch(fileUrl()).catch((e: unknown) => e)) as HubError;
      expect(err.kind).toBe('gated');
      expect(err.message).not.toContain(TOKEN);
    } finally {
      await other.close();
    }
  });

  test('scrub removes the given secrets and anything shaped like a Hub token', () => {
    expect(scrub(`bad ${TOKEN} and hf_abcdefGHIJ123 and custom-secret`, ['custom-secret'])).toBe(
      'bad hf_*** and hf_*** and ***',
    );
  });
});
