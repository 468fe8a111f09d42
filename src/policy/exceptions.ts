// `exceptions`: a finding a person has reviewed and accepted, with the reason on record. A live
// exception moves the finding to the model's `suppressed` list; once its expiry date has come,
// the finding counts again and its message says which exception lapsed and when, so nobody
// wonders why a gate that passed yesterday fails today.
import type { Finding, ModelReport, RuleId, SuppressedFinding } from '../types.js';
import { globCovers, type Glob } from './paths.js';

export interface PolicyException {
  rule: RuleId;
  /** As written, for messages. */
  path?: string;
  pathGlob?: Glob;
  base?: string;
  reason: string;
  /** YYYY-MM-DD: from this day on (UTC) the exception no longer applies. */
  expires?: string;
  /** Line in the policy file, for messages. */
  line?: number;
}

/** The calendar day of `now` in UTC, as YYYY-MM-DD. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). */
export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function isExpired(e: PolicyException, today: string): boolean {
  return e.expires !== undefined && today >= e.expires;
}

/**
 * Whether the exception covers the finding: same rule; `path` (a glob) matching the model
 * directory or the finding's file, or a directory above either; `base` equal to the finding's base
 * (case-insensitive). An exception with neither covers the rule in every model.
 */
export function covers(e: PolicyException, f: Finding, modelPath: string): boolean {
  if (e.rule !== f.rule) return false;
  if (e.base !== undefined && e.base.toLowerCase() !== (f.base ?? '').toLowerCase()) return false;
  if (e.pathGlob) {
    const inModel = globCovers(e.pathGlob, modelPath);
    const inFile = f.file !== undefined && globCovers(e.pathGlob, f.file);
    if (!inModel && !inFile) return false;
  }
  return true;
}

function describe(e: PolicyException): string {
  const scope = [e.path, e.base].filter((s): s is string => s !== undefined).join(', ');
  return `exception "${e.reason}" for ${e.rule}${scope ? ` on ${scope}` : ''}`;
}

export interface Applied {
  findings: Finding[];
  suppressed: SuppressedFinding[];
}

/** Splits findings into those that still count and those a live exception suppresses. */
export function applyExceptions(
  findings: Finding[],
  modelPath: string,
  exceptions: PolicyException[],
  now: Date,
): Applied {
  const today = utcDay(now);
  const out: Applied = { findings: [], suppressed: [] };
  for (const f of findings) {
    const matching = exceptions.filter((e) => covers(e, f, modelPath));
    const live = matching.find((e) => !isExpired(e, today));
    if (live) {
      out.suppressed.push({
        ...f,
        exception: { reason: live.reason, ...(live.expires ? { expires: live.expires } : {}) },
      });
      continue;
    }
    // The most recently lapsed exception is the one a reader remembers.
    const lapsed = matching.sort((a, b) => (b.expires ?? '').localeCompare(a.expires ?? ''))[0];
    out.findings.push(
      lapsed ? { ...f, message: `${f.message} (${describe(lapsed)} expired on ${lapsed.expires})` } : f,
    );
  }
  return out;
}

/** The model's report with the policy's exceptions applied (`suppressed` only when non-empty). */
export function exceptModel(m: ModelReport, exceptions: PolicyException[], now: Date): ModelReport {
  if (exceptions.length === 0) return m;
  const { findings, suppressed } = applyExceptions(m.findings, m.path, exceptions, now);
  return { ...m, findings, ...(suppressed.length ? { suppressed } : {}) };
}
