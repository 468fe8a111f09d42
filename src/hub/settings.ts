// Hub settings that every run validates up front, without loading the Hub client: the endpoint and
// token from the environment and inputs, the cache directory, and `ORG/NAME[@REV]` targets.
import os from 'node:os';
import path from 'node:path';
import { uriPath } from '../report/escape.js';
import type { HubFetchOptions } from './fetch.js';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** Web address of a file in a Hub repo at a commit; with no file, of the commit's file tree. */
export function hubBlobUrl(endpoint: string, repo: string, sha: string, file = ''): string {
  return `${endpoint}/${repo}/blob/${encodeURIComponent(sha)}/${uriPath(file)}`;
}

/** `org/name` as the Hub allows it (huggingface_hub's validate_repo_id, namespace required). */
export function isHubRepoId(id: string): boolean {
  if (!/^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/.test(id)) return false;
  return !id.includes('..') && !id.includes('--') && !id.endsWith('.git');
}

/** A branch, tag or commit: no `..`, no spaces or control characters. */
export function isRevision(rev: string): boolean {
  return /^[\w./-]{1,200}$/.test(rev) && !rev.split('/').includes('..') && !rev.startsWith('/');
}

/** `--cache-dir`, else LINEAGE_GATE_CACHE, else ~/.cache/lineage-gate (XDG_CACHE_HOME honoured). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LINEAGE_GATE_CACHE) return env.LINEAGE_GATE_CACHE;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'lineage-gate');
}

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

/** What the CLI or the Action says about the Hub for one run. */
export interface HubRunOptions {
  env: NodeJS.ProcessEnv;
  /** `ORG/NAME[@REV]` when the target is a Hub repo. */
  hubRepo?: string;
  token?: string;
  cacheDir?: string;
  offline?: boolean;
  net?: Omit<HubFetchOptions, 'endpoint' | 'token'>;
}

/** The settings of a run; throws HubSettingsError. */
export function runSettings(options: HubRunOptions): HubSettings {
  return hubSettings(options.env, {
    ...(options.token ? { token: options.token } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    offline: options.offline ?? false,
  });
}
