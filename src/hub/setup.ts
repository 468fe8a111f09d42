// The Hub client with its fetch and cache, the target opened as a source, and the gate's upstream
// hook. Loaded only by runs that need the Hub (hub/run.ts decides).
import type { Catalog } from '../catalog/index.js';
import { openHubSource, type HubSource } from '../sources/hub.js';
import { createHubCache } from './cache.js';
import { createHubClient, type HubClient } from './client.js';
import { parseHubTarget, runSettings, type HubRunOptions, type HubSettings } from './settings.js';
import { createHubFetch, type HubFetchOptions, type HubFetchStats } from './fetch.js';
import { createUpstreamResolver, type DeclaredBase, type UpstreamResolution } from './upstream.js';

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
export async function prepareHub(options: HubRunOptions): Promise<HubRun> {
  const settings = runSettings(options);
  const hub = createHub(settings, options.net);
  let source: HubSource | null = null;
  if (options.hubRepo !== undefined) {
    const { repo, revision } = parseHubTarget(options.hubRepo);
    source = await openHubSource({ client: hub.client, repo, revision });
  }
  return { hub, source, upstreams: upstreamHook(hub.client) };
}

export { hubSettings, HubSettingsError, parseHubTarget, type HubSettings } from './settings.js';
