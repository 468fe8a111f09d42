// A local stand-in for the Hugging Face Hub on 127.0.0.1, speaking the endpoints the real
// @huggingface/hub client and the gate use:
//   GET  /api/models/{org}/{name}/revision/{rev}           model info (with `sha`)
//   GET  /api/models/{org}/{name}/tree/{rev}[/{path}]      file list (?recursive=, paged by Link)
//   GET|HEAD /{org}/{name}/resolve/{rev}/{path}            file bytes, with Range (206/416)
// Repos are in memory. A file can be virtual: real leading bytes (a safetensors header) and a
// declared size, so a 700 GB model costs nothing; a full GET of such a file is logged and cut off.
// Every request is logged, and failures can be injected per repo (gated, throttled, failing).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export interface HubFile {
  /** The file's leading bytes (all of it unless `size` is larger; the rest reads as zeros). */
  data: Buffer;
  size?: number;
  /** Listed as an LFS file with this oid (default: sha256 of `data` for virtual files). */
  lfsOid?: string;
}

export interface HubRepo {
  sha?: string;
  files: Record<string, HubFile | string | Buffer>;
  /** Every request for this repo answers this status (401/403: gated). */
  status?: number;
  /** The first `times` requests answer `status`, with Retry-After when given. */
  fail?: { status: number; times: number; retryAfter?: string };
  /** Requests must carry `Authorization: Bearer <token>`, else 401. */
  token?: string;
  /** Page size of tree listings (the Link header pages them). */
  pageSize?: number;
}

export interface LoggedRequest {
  method: string;
  /** Decoded path without the query. */
  path: string;
  query: string;
  range?: string;
  authorization?: string;
  status: number;
  /** Body bytes sent (compressed when gzipped). */
  bytes: number;
}

export interface HubServer {
  url: string;
  port: number;
  log: LoggedRequest[];
  repos: Record<string, HubRepo>;
  /** Replaces the answer of every request (for malformed-response tests); null to restore. */
  override: ((req: http.IncomingMessage, res: http.ServerResponse) => boolean) | null;
  close(): Promise<void>;
}

/** Most bytes one full GET of a virtual file streams before the server hangs up. */
const FULL_GET_CAP = 4 * 1024 * 1024;

function fileOf(f: HubFile | string | Buffer): HubFile {
  if (typeof f === 'string') return { data: Buffer.from(f) };
  if (Buffer.isBuffer(f)) return { data: f };
  return f;
}

function sizeOf(f: HubFile): number {
  return f.size ?? f.data.length;
}

function bytesAt(f: HubFile, start: number, end: number): Buffer {
  const out = Buffer.alloc(end - start);
  if (start < f.data.length) f.data.copy(out, 0, start, Math.min(end, f.data.length));
  return out;
}

export function shaOf(repo: string): string {
  return createHash('sha1').update(repo).digest('hex');
}

export async function startHubServer(repos: Record<string, HubRepo> = {}): Promise<HubServer> {
  const log: LoggedRequest[] = [];
  const state: HubServer = {
    url: '',
    port: 0,
    log,
    repos,
    override: null,
    close: async () => undefined,
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.search,
      status: 0,
      bytes: 0,
      ...(req.headers.range ? { range: String(req.headers.range) } : {}),
      ...(req.headers.authorization ? { authorization: String(req.headers.authorization) } : {}),
    };
    log.push(entry);
    const send = (status: number, body: Buffer | string, headers: Record<string, string> = {}) => {
      let buf = typeof body === 'string' ? Buffer.from(body) : body;
      const gzip =
        status === 200 &&
        req.method !== 'HEAD' &&
        !req.headers.range &&
        /gzip/.test(String(req.headers['accept-encoding'] ?? '')) &&
        buf.length > 1024 &&
        // LG_NO_GZIP=1 measures the transfer without compression (the Hub's CDN behaviour is unconfirmed).
        !process.env.LG_NO_GZIP;
      if (gzip) {
        buf = gzipSync(buf);
        headers['content-encoding'] = 'gzip';
      }
      entry.status = status;
      entry.bytes = req.method === 'HEAD' ? 0 : buf.length;
      res.writeHead(status, { 'content-length': String(buf.length), ...headers });
      res.end(req.method === 'HEAD' ? undefined : buf);
    };
    const json = (status: number, value: unknown, headers: Record<string, string> = {}) =>
      send(status, JSON.stringify(value), { 'content-type': 'application/json', ...headers });

    if (state.override) {
      entry.status = -1;
      if (state.override(req, res)) return;
    }

    // /api/models/{org}/{name}/(revision|tree)/{rev}[/{path}]  or  /{org}/{name}/resolve/{rev}/{path}
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    const api = parts[0] === 'api' && parts[1] === 'models';
    const [org, name, verb, rev, ...rest] = api ? parts.slice(2) : parts;
    const repoId = `${org}/${name}`;
    const repo = repos[repoId];
    if (!repo) return json(404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' });
    if (repo.token && req.headers.authorization !== `Bearer ${repo.token}`) {
      return json(401, { error: 'Invalid credentials' });
    }
    if (repo.status) return json(repo.status, { error: `Access to model ${repoId} is restricted.` });
    if (repo.fail && repo.fail.times > 0) {
      repo.fail.times--;
      return json(
        repo.fail.status,
        { error: 'try again' },
        repo.fail.retryAfter ? { 'retry-after': repo.fail.retryAfter } : {},
      );
    }
    const sha = repo.sha ?? shaOf(repoId);
    if (rev !== undefined && rev !== 'main' && rev !== sha) {
      return json(404, { error: 'Revision not found' }, { 'x-error-code': 'RevisionNotFound' });
    }
    const files = Object.entries(repo.files).map(([p, f]) => [p, fileOf(f)] as const);

    if (api && verb === 'revision') {
      return json(200, {
        _id: sha.slice(0, 24),
        id: repoId,
        sha,
        private: false,
        gated: false,
        downloads: 0,
        likes: 0,
        lastModified: '2025-01-01T00:00:00.000Z',
        siblings: files.map(([p]) => ({ rfilename: p })),
      });
    }
    if (api && verb === 'tree') {
      const dir = rest.join('/');
      const recursive = url.searchParams.get('recursive') === 'true';
      const under = files.filter(([p]) => dir === '' || p.startsWith(`${dir}/`));
      const items: unknown[] = [];
      const dirs = new Set<string>();
      for (const [p, f] of under) {
        const rel = dir === '' ? p : p.slice(dir.length + 1);
        if (!recursive && rel.includes('/')) {
          const d = (dir === '' ? '' : `${dir}/`) + rel.split('/')[0];
          if (!dirs.has(d)) items.push({ type: 'directory', oid: shaOf(d), size: 0, path: d });
          dirs.add(d);
          continue;
        }
        const virtual = f.size !== undefined && f.size > f.data.length;
        const oid = f.lfsOid ?? (virtual ? createHash('sha256').update(f.data).digest('hex') : undefined);
        items.push({
          type: 'file',
          oid: shaOf(p),
          size: sizeOf(f),
          path: p,
          ...(oid ? { lfs: { oid, size: sizeOf(f), pointerSize: 134 } } : {}),
        });
      }
      const page = repo.pageSize ?? 1000;
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const slice = items.slice(cursor, cursor + page);
      const headers: Record<string, string> = {};
      if (cursor + page < items.length) {
        const next = new URL(url.href);
        next.searchParams.set('cursor', String(cursor + page));
        headers.link = `<${state.url}${next.pathname}${next.search}>; rel="next"`;
      }
      return json(200, slice, headers);
    }
    if (!api && verb === 'resolve') {
      const path = rest.join('/');
      const f = files.find(([p]) => p === path)?.[1];
      if (!f) return json(404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' });
      const size = sizeOf(f);
      const range = /^bytes=(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
      if (req.headers.range && range) {
        const start = Number(range[1]);
        const end = Math.min(size - 1, range[2] === '' ? size - 1 : Number(range[2]));
        if (start >= size) return send(416, '', { 'content-range': `bytes */${size}` });
        return send(206, bytesAt(f, start, end + 1), {
          'content-range': `bytes ${start}-${end}/${size}`,
          etag: `"${shaOf(path)}"`,
        });
      }
      if (size > f.data.length && size > FULL_GET_CAP) {
        // A whole weight file: the test will fail on the log; do not stream hundreds of GB.
        entry.status = 200;
        entry.bytes = FULL_GET_CAP;
        res.writeHead(200, { 'content-length': String(size) });
        res.write(bytesAt(f, 0, FULL_GET_CAP));
        res.destroy();
        return;
      }
      return send(200, bytesAt(f, 0, size), { etag: `"${shaOf(path)}"` });
    }
    return json(404, { error: 'Not found' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  state.port = port;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A safetensors file's leading bytes (length + header JSON) and its full size. */
export function safetensorsFile(
  tensors: { name: string; dtype: string; shape: number[] }[],
  metadata?: Record<string, string>,
): HubFile {
  const width: Record<string, number> = { BF16: 2, F16: 2, F32: 4, F8_E4M3: 1, I8: 1, U8: 1 };
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1) * (width[t.dtype] ?? 1);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const head = Buffer.concat([len, json]);
  return { data: head, size: head.length + offset };
}

/**
 * DeepSeek-V3's tensor list (61 layers + the MTP layer, 256 routed experts, FP8 weights with their
 * block scales), split into 163 shards as the real repo is: every shard header and the index as
 * large as the real ones (~11.9 MB of headers, 92k tensors, ~8.9 MB index), sizes ~688 GB.
 */
export function deepseekV3Shards(): { files: Record<string, HubFile | string>; totalSize: number } {
  const [H, I, MI, V, Q, KV, NH, NOPE, ROPE, VH] = [7168, 18432, 2048, 129280, 1536, 512, 128, 128, 64, 128];
  const t: { name: string; dtype: string; shape: number[] }[] = [];
  const add = (name: string, dtype: string, shape: number[]) => t.push({ name, dtype, shape });
  const fp8 = (name: string, shape: [number, number]) => {
    add(`${name}.weight`, 'F8_E4M3', shape);
    add(`${name}.weight_scale_inv`, 'F32', [Math.ceil(shape[0] / 128), Math.ceil(shape[1] / 128)]);
  };
  add('model.embed_tokens.weight', 'BF16', [V, H]);
  for (let L = 0; L < 62; L++) {
    const p = `model.layers.${L}.`;
    add(`${p}input_layernorm.weight`, 'BF16', [H]);
    add(`${p}post_attention_layernorm.weight`, 'BF16', [H]);
    fp8(`${p}self_attn.q_a_proj`, [Q, H]);
    fp8(`${p}self_attn.q_b_proj`, [NH * (NOPE + ROPE), Q]);
    fp8(`${p}self_attn.kv_a_proj_with_mqa`, [KV + ROPE, H]);
    fp8(`${p}self_attn.kv_b_proj`, [NH * (NOPE + VH), KV]);
    fp8(`${p}self_attn.o_proj`, [H, NH * VH]);
    add(`${p}self_attn.q_a_layernorm.weight`, 'BF16', [Q]);
    add(`${p}self_attn.kv_a_layernorm.weight`, 'BF16', [KV]);
    const mlp = (pre: string, inter: number) => {
      fp8(`${pre}gate_proj`, [inter, H]);
      fp8(`${pre}up_proj`, [inter, H]);
      fp8(`${pre}down_proj`, [H, inter]);
    };
    if (L < 3) mlp(`${p}mlp.`, I);
    else {
      add(`${p}mlp.gate.weight`, 'BF16', [256, H]);
      add(`${p}mlp.gate.e_score_correction_bias`, 'F32', [256]);
      for (let e = 0; e < 256; e++) mlp(`${p}mlp.experts.${e}.`, MI);
      mlp(`${p}mlp.shared_experts.`, MI);
    }
  }
  add('model.norm.weight', 'BF16', [H]);
  add('lm_head.weight', 'BF16', [V, H]);

  const files: Record<string, HubFile | string> = {};
  const weightMap: Record<string, string> = {};
  const per = Math.ceil(t.length / 163);
  let totalSize = 0;
  for (let s = 0; s < 163; s++) {
    const name = `model-${String(s + 1).padStart(5, '0')}-of-000163.safetensors`;
    const part = t.slice(s * per, (s + 1) * per);
    const f = safetensorsFile(part);
    files[name] = f;
    totalSize += f.size!;
    for (const x of part) weightMap[x.name] = name;
  }
  files['model.safetensors.index.json'] = JSON.stringify(
    { metadata: { total_size: totalSize }, weight_map: weightMap },
    null,
    2,
  );
  return { files, totalSize };
}
