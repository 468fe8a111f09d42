// The fetch that every Hub call goes through (the @huggingface/hub client takes it as `fetch`):
// bounded concurrency, a timeout per attempt, retries with exponential backoff on 429/5xx and
// network errors (honouring Retry-After, capped), a byte counter and a request log. A final
// non-2xx answer is thrown as a HubError, so callers never parse error bodies.
import { HubError, describeStatus, kindOfStatus, toHubError } from './errors.js';

export interface RequestLogEntry {
  method: string;
  /** Path and query only: never the token, never the host. */
  path: string;
  range?: string;
  status: number | 'error';
  attempt: number;
}

export interface HubFetchOptions {
  /** The Hub's base URL; the token is sent only to this origin. */
  endpoint: string;
  token?: string;
  /** Requests in flight at once (a response holds its slot until its body is read). */
  concurrency?: number;
  /** Per attempt, headers and body. */
  timeoutMs?: number;
  /** Retries after the first attempt (429 and 5xx). */
  retries?: number;
  /** Retries after a connection failure or timeout: a missing network rarely comes back in seconds. */
  networkRetries?: number;
  baseDelayMs?: number;
  /** Longest wait between attempts, whatever Retry-After says. */
  maxDelayMs?: number;
  /** Largest response body accepted (a listing page, a header range); longer bodies fail. */
  maxBodyBytes?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  onRequest?: (entry: RequestLogEntry) => void;
}

export interface HubFetchStats {
  requests: number;
  retries: number;
  /**
   * Response body bytes on the wire (all attempts): the compressed length when the server
   * compressed the body (Content-Length of a Content-Encoding response), else the bytes read.
   */
  bytes: number;
  /** Waits between attempts, in ms, in order (for tests and the log). */
  waits: number[];
}

export interface HubFetch {
  fetch: typeof fetch;
  stats: HubFetchStats;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

/** Retry-After in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

function semaphore(max: number): { acquire(): Promise<() => void> } {
  let active = 0;
  const queue: (() => void)[] = [];
  const release = () => {
    active--;
    queue.shift()?.();
  };
  return {
    async acquire() {
      if (active >= max) await new Promise<void>((resolve) => queue.push(resolve));
      active++;
      let done = false;
      return () => {
        if (!done) {
          done = true;
          release();
        }
      };
    },
  };
}

function pathOf(url: URL): string {
  const p = url.pathname + url.search;
  return p.length > 300 ? `${p.slice(0, 300)}…` : p;
}

/** A body stream that counts bytes and gives the slot back when it ends, fails or is cancelled. */
function countingBody(
  body: ReadableStream<Uint8Array>,
  stats: HubFetchStats,
  release: () => void,
  limit: number,
  wireLength: number | null,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let seen = 0;
  if (wireLength !== null) stats.bytes += wireLength;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
          return;
        }
        if (wireLength === null) stats.bytes += value.byteLength;
        seen += value.byteLength;
        if (seen > limit) {
          release();
          await reader.cancel().catch(() => undefined);
          controller.error(new HubError('bad-response', `the answer is over ${limit} bytes`));
          return;
        }
        controller.enqueue(value);
      } catch (err) {
        release();
        controller.error(err);
      }
    },
    async cancel(reason) {
      release();
      await reader.cancel(reason).catch(() => undefined);
    },
  });
}

export function createHubFetch(options: HubFetchOptions): HubFetch {
  const base = options.fetch ?? globalThis.fetch;
  const origin = new URL(options.endpoint).origin;
  const retries = options.retries ?? 4;
  const networkRetries = Math.min(retries, options.networkRetries ?? 2);
  const baseDelay = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxBody = options.maxBodyBytes ?? 128 * 1024 * 1024;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const slots = semaphore(Math.max(1, options.concurrency ?? 4));
  const stats: HubFetchStats = { requests: 0, retries: 0, bytes: 0, waits: [] };
  // After the network has failed through every retry, later calls fail at once: a dead network
  // must cost one wait, not one per file.
  let down: HubError | null = null;

  const hubFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (options.token && url.origin === origin && !headers.has('authorization')) {
      headers.set('authorization', `Bearer ${options.token}`);
    }
    const what = `${method} ${pathOf(url)}`;
    const range = headers.get('range') ?? undefined;
    if (down) throw down;

    for (let attempt = 0; ; attempt++) {
      const release = await slots.acquire();
      const signals = [AbortSignal.timeout(timeoutMs)];
      if (init?.signal) signals.push(init.signal);
      let res: Response;
      stats.requests++;
      try {
        res = await base(url, {
          ...init,
          method,
          headers,
          signal: AbortSignal.any(signals),
          redirect: 'follow',
        });
      } catch (err) {
        release();
        options.onRequest?.({ method, path: pathOf(url), range, status: 'error', attempt });
        const named = toHubError(err, what);
        // Subject-less: the caller names what it was reading (`org/name`, `org/name/config.json`).
        const e = new HubError(named.kind, named.reason, named.status);
        if (init?.signal?.aborted) throw e;
        if ((e.kind === 'network' || e.kind === 'timeout') && attempt < networkRetries) {
          await wait(Math.min(maxDelay, baseDelay * 2 ** attempt));
          continue;
        }
        if (e.kind === 'network') down = e;
        throw e;
      }
      options.onRequest?.({ method, path: pathOf(url), range, status: res.status, attempt });
      if (res.ok) {
        if (!res.body) {
          release();
          return res;
        }
        // fetch decompresses transparently; the compressed size is what crossed the network.
        const encoded = (res.headers.get('content-encoding') ?? 'identity') !== 'identity';
        const length = Number(res.headers.get('content-length'));
        const wire = encoded && Number.isSafeInteger(length) && length >= 0 ? length : null;
        return new Response(countingBody(res.body, stats, release, maxBody, wire), {
          status: res.status,
          statusText: res.statusText,
          headers: res.headers,
        });
      }
      await res.body?.cancel().catch(() => undefined);
      release();
      if (RETRY_STATUS.has(res.status) && attempt < retries) {
        const after = retryAfterMs(res.headers.get('retry-after'));
        await wait(Math.min(maxDelay, after ?? baseDelay * 2 ** attempt));
        continue;
      }
      const kind = kindOfStatus(res.status, res.headers.get('x-error-code'));
      throw new HubError(kind, describeStatus(kind, res.status), res.status);
    }
  };

  async function wait(ms: number): Promise<void> {
    stats.retries++;
    stats.waits.push(ms);
    await sleep(ms);
  }

  return { fetch: hubFetch as typeof fetch, stats };
}
