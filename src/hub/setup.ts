// Wiring shared by the CLI and the Action: the Hub settings from the environment and inputs, the
// client with its fetch and cache, `ORG/NAME[@REV]` parsing, and the gate's upstream hook.
import type { Catalog } from '../catalog/index.js';
import { openHubSource, type HubSource } from '../sources/hub.js';
import type { Report } from '../types.js';
import { createHubCache, defaultCacheDir } from './cache.js';
import { createHubClient, DEFAULT_ENDPOINT, isHubRepoId, isRevision, type HubClient } from './client.js';
import { HubError, scrub } from './errors.js';
import { createHubFetch, type HubFetchOptions, type HubFetchStats } from './fetch.js';
import { createUpstreamResolver, type DeclaredBase, type UpstreamResolution } from './upstream.js';

export interface HubSettings {
  endpoint: string;
  token?: string;
  /** null: no disk cache. */
  cacheDir: string | null;
  offline: boolean;
}

/** A mistake in the Hub settings or target: reported as one line (exit 2 / setFailed). */
export class HubSettingsError extends Error {}

export function hubSettings(
  env: NodeJS.ProcessEnv,
  given: { token?: string; cacheDir?: string | null; offline?: boolean } = {},
): HubSettings {
  const raw = (env.HF_ENDPOINT || DEFAULT_ENDPOINT).trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HubSettingsError(`HF_ENDPOINT is not a URL: '${raw.slice(0, 200)}'`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HubSettingsError(`HF_ENDPOINT must be an http(s) URL (got '${url.protocol}')`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new HubSettingsError('HF_ENDPOINT must be a plain base URL (no credentials, query or fragment)');
  }
  const token = (given.token ?? env.HF_TOKEN ?? '').trim() || undefined;
  return {
    endpoint: url.href.replace(/\/+$/, ''),
    ...(token ? { token } : {}),
    cacheDir: given.cacheDir === null ? null : (given.cacheDir ?? defaultCacheDir(env)),
    offline: given.offline ?? false,
  };
}

/** `org/name` or `org/name@revision`. */
export function parseHubTarget(value: string): { repo: string; revision: string } {
  const v = value.trim();
  const at = v.indexOf('@');
  const repo = at < 0 ? v : v.slice(0, at);
  const revision = at < 0 ? 'main' : v.slice(at + 1);
  if (!isHubRepoId(repo))
    throw new HubSettingsError(`not a Hub repo id (expected ORG/NAME[@REV]): '${v.slice(0, 200)}'`);
  if (!isRevision(revision)) throw new HubSettingsError(`not a valid revision: '${revision.slice(0, 200)}'`);
  return { repo, revision };
}

export interface Hub {
  client: HubClient;
  stats: HubFetchStats;
  settings: HubSettings;
}

export function createHub(settings: HubSettings, net: Omit<HubFetchOptions, 'endpoint' | 'token'> = {}): Hub {
  const { fetch, stats } = createHubFetch({ ...net, endpoint: settings.endpoint, token: settings.token });
  const client = createHubClient({
    endpoint: settings.endpoint,
    fetch,
    cache: settings.cacheDir ? createHubCache(settings.cacheDir) : null,
    offline: settings.offline,
  });
  return { client, stats, settings };
}

/** The gate's `upstreams` hook: looks up only what the catalog cannot judge. */
export function upstreamHook(client: HubClient) {
  const resolver = createUpstreamResolver({ client });
  return (declared: DeclaredBase[], catalog: Catalog): Promise<UpstreamResolution> =>
    resolver.resolve(declared, catalog);
}

export interface HubRun {
  hub: Hub;
  /** The Hub repo to check, opened at its resolved commit; null for a local target. */
  source: HubSource | null;
  upstreams: (declared: DeclaredBase[], catalog: Catalog) => Promise<UpstreamResolution>;
}

/**
 * Everything a front door needs for the Hub: settings from the environment (HF_ENDPOINT,
 * HF_TOKEN, LINEAGE_GATE_CACHE) and its own options, the client, the target when it is a Hub
 * repo, and the upstream hook (used for local targets too). Throws HubSettingsError or HubError.
 */
export async function prepareHub(options: {
  env: NodeJS.ProcessEnv;
  hubRepo?: string;
  token?: string;
  cacheDir?: string;
  offline?: boolean;
  net?: Omit<HubFetchOptions, 'endpoint' | 'token'>;
}): Promise<HubRun> {
  const settings = hubSettings(options.env, {
    ...(options.token ? { token: options.token } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    offline: options.offline ?? false,
  });
  const hub = createHub(settings, options.net);
  let source: HubSource | null = null;
  if (options.hubRepo !== undefined) {
    const { repo, revision } = parseHubTarget(options.hubRepo);
    source = await openHubSource({ client: hub.client, repo, revision });
  }
  return { hub, source, upstreams: upstreamHook(hub.client) };
}

/** One line per upstream that could not be verified (gated, missing, offline, error). */
export function upstreamNotes(report: Report): string[] {
  const notes = report.models.flatMap((m) =>
    (m.upstreams ?? [])
      .filter((u) => u.status !== 'resolved')
      .map((u) => u.detail ?? `cannot verify upstream ${u.id}: ${u.status}`),
  );
  return [...new Set(notes)];
}

/** The one line to print for a Hub or settings failure, with secrets removed; null for other errors. */
export function hubFailureLine(err: unknown, secrets: readonly (string | undefined)[]): string | null {
  if (err instanceof HubError || err instanceof HubSettingsError)
    return scrub(err.message, secrets).split('\n')[0];
  return null;
}
