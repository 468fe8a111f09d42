// Property: whatever a Hub (or something posing as one) answers — bad JSON, wrong types, lying
// sizes and ranges, truncated bodies, odd statuses — the Hub source, the gate over it and upstream
// resolution end with a result or a HubError with one plain line; never another exception.
import fc from 'fast-check';
import { runGate } from '../src/gate.js';
import { createHubClient } from '../src/hub/client.js';
import { HubError } from '../src/hub/errors.js';
import { createHubFetch } from '../src/hub/fetch.js';
import { upstreamHook } from '../src/hub/setup.js';
import { openHubSource } from '../src/sources/hub.js';
import { fuzzParams } from './helpers/fuzz.js';

const ENDPOINT = 'http://hub.invalid';

type Body =
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'truncated'; bytes: Uint8Array };

interface Answer {
  status: number;
  body: Body;
  headers: Record<string, string>;
}

const hex = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
);

const treeItem = fc.record({
  type: fc.constantFrom('file', 'directory', 'weird', 7),
  path: fc.oneof(
    fc.constantFrom(
      'README.md',
      'config.json',
      'model.safetensors',
      'LICENSE',
      'a/../b',
      '/etc/passwd',
      '',
      'x.gguf',
    ),
    fc.string({ maxLength: 12 }),
  ),
  size: fc.oneof(fc.nat({ max: 5000 }), fc.constantFrom(-1, 1e20, 0.5, '12', 2 ** 40)),
  lfs: fc.option(fc.record({ oid: fc.oneof(hex(64), fc.string()) }), {
    nil: undefined,
  }),
});

const body: fc.Arbitrary<Body> = fc.oneof(
  jsonish.map((value) => ({ kind: 'json' as const, value })),
  fc.array(treeItem, { maxLength: 6 }).map((value) => ({ kind: 'json' as const, value })),
  fc
    .record({ sha: fc.oneof(hex(40), fc.string(), fc.integer()) })
    .map((value) => ({ kind: 'json' as const, value: { _id: 'x', id: 'a/b', ...value } })),
  fc.string({ maxLength: 300 }).map((text) => ({ kind: 'text' as const, text })),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'truncated' as const, bytes })),
  fc
    .constantFrom(
      '---\nlicense: mit\nbase_model: up/stream\n---\n# x\n',
      '{"hidden_size": 4096, "num_attention_heads": 32}',
    )
    .map((text) => ({ kind: 'text' as const, text })),
);

const answer: fc.Arbitrary<Answer> = fc.record({
  status: fc.constantFrom(200, 200, 200, 206, 206, 404, 401, 403, 416, 429, 500, 204),
  body,
  headers: fc.dictionary(
    fc.constantFrom('content-range', 'link', 'content-type', 'retry-after', 'x-error-code'),
    fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom(
        'bytes 0-7/100',
        'bytes 5-9/*',
        '<http://hub.invalid/api/x>; rel="next"',
        'RepoNotFound',
        '1',
      ),
    ),
    { maxKeys: 3 },
  ),
});

function respond(a: Answer): Response {
  let stream: ReadableStream<Uint8Array> | string | null;
  if (a.body.kind === 'truncated') {
    const bytes = a.body.bytes;
    stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes);
        c.error(new TypeError('terminated'));
      },
    });
  } else {
    stream = a.body.kind === 'json' ? JSON.stringify(a.body.value) : a.body.text;
  }
  const noBody = a.status === 204;
  return new Response(noBody ? null : stream, { status: a.status, headers: a.headers });
}

describe('Hub source and upstreams under malformed answers', () => {
  test('a result or a one-line HubError, never another exception', async () => {
    const seen = { reports: 0, withModels: 0, hubErrors: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.record({ info: answer, tree: answer, resolve: fc.array(answer, { minLength: 1, maxLength: 4 }) }),
        async (plan) => {
          let n = 0;
          const fake = async (input: string | URL | Request): Promise<Response> => {
            const url = String(input instanceof Request ? input.url : input);
            if (url.includes('/revision/')) return respond(plan.info);
            if (url.includes('/tree/')) return respond(plan.tree);
            return respond(plan.resolve[n++ % plan.resolve.length]);
          };
          const { fetch } = createHubFetch({
            endpoint: ENDPOINT,
            fetch: fake as typeof fetch,
            retries: 1,
            sleep: async () => undefined,
          });
          const client = createHubClient({ endpoint: ENDPOINT, fetch, cache: null });
          try {
            const source = await openHubSource({ client, repo: 'a/b' });
            const report = await runGate({ source, failOn: 'error', upstreams: upstreamHook(client) });
            expect(report.target.kind).toBe('hub');
            seen.reports++;
            if (report.models.length) seen.withModels++;
            for (const m of report.models) for (const u of m.upstreams ?? []) expect(u.id).toBeTruthy();
          } catch (err) {
            if (!(err instanceof HubError)) throw err;
            seen.hubErrors++;
            expect(err.message).not.toMatch(/\n/);
            expect(err.message.length).toBeGreaterThan(0);
          }
        },
      ),
      fuzzParams(0.5),
    );
    // Both outcomes, and models actually judged from fuzzed files, must have been reached.
    expect(seen.reports).toBeGreaterThan(0);
    expect(seen.withModels).toBeGreaterThan(0);
    expect(seen.hubErrors).toBeGreaterThan(0);
  }, 120_000);
});
