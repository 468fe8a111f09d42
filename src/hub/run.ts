// The Hub as the CLI and the Action see it. Settings are checked up front (a bad HF_ENDPOINT fails
// every run the same way), but the client, its cache and @huggingface/hub are loaded only when the
// run needs them: a Hub target, or a declared base the catalog cannot judge. A local repo whose
// bases are all in the catalog, the usual case, never loads them.
import type { Catalog } from '../catalog/index.js';
import type { RepoSource } from '../sources/source.js';
import type { Report } from '../types.js';
import { anyNeedsResolution } from './declared.js';
import { HubError, scrub } from './errors.js';
import { HubSettingsError, parseHubTarget, runSettings, type HubRunOptions } from './settings.js';
import type { HubRun as LoadedHub } from './setup.js';
import type { DeclaredBase, UpstreamResolution } from './upstream.js';

export type { HubRunOptions } from './settings.js';

export interface HubRun {
  /** The Hub's base URL (HF_ENDPOINT, without a trailing slash). */
  endpoint: string;
  /** The Hub repo to check, opened at its resolved commit; null for a local target. */
  source: RepoSource | null;
  /** The gate's `upstreams` hook. */
  upstreams: (declared: DeclaredBase[], catalog: Catalog) => Promise<UpstreamResolution>;
  /** Requests made and bytes received so far (zero when the client was never loaded). */
  stats(): { requests: number; bytes: number };
}

const NOTHING_LEARNED: UpstreamResolution = { extension: { checkpoints: [], licenses: {} }, records: [] };

/** Throws HubSettingsError (bad settings or target) or HubError (the target cannot be opened). */
export async function openHubRun(options: HubRunOptions): Promise<HubRun> {
  const { endpoint } = runSettings(options);
  if (options.hubRepo !== undefined) parseHubTarget(options.hubRepo);

  let loaded: Promise<LoadedHub> | undefined;
  const load = () => (loaded ??= import('./setup.js').then((m) => m.prepareHub(options)));
  let run: LoadedHub | undefined;
  if (options.hubRepo !== undefined) run = await load();
  return {
    endpoint,
    source: run?.source ?? null,
    upstreams: async (declared, catalog) => {
      // Until the client is loaded nothing has been learned, so this is what the resolver answers.
      if (!run && !anyNeedsResolution(declared, catalog)) return NOTHING_LEARNED;
      run ??= await load();
      return run.upstreams(declared, catalog);
    },
    stats: () => {
      const s = run?.hub.stats;
      return { requests: s?.requests ?? 0, bytes: s?.bytes ?? 0 };
    },
  };
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
