// The pipeline: source → evidence → lineage → rules → Report. The Action and the CLI both call
// runGate and differ only in how they present the Report.
import { defaultCatalog, extendCatalog, type Catalog } from './catalog/index.js';
import { collectEvidence } from './evidence/collect.js';
import { filesForModel, findModelDirs } from './evidence/discover.js';
import type { ModelEvidence } from './evidence/types.js';
import { textIndex } from './lineage/declared.js';
import { inferLineage } from './lineage/infer.js';
import { configContradictions } from './lineage/weights.js';
import { summarizeEvidence } from './evidence/summary.js';
import { exceptModel } from './policy/exceptions.js';
import { selectModelDirs } from './policy/paths.js';
import type { Policy } from './policy/policy.js';
import { RULES } from './rules/index.js';
import type { RuleContext } from './rules/rule.js';
import { licenseOf } from './rules/rule.js';
import type { RepoSource } from './sources/source.js';
import { declaredBases } from './hub/declared.js';
import type { DeclaredBase, UpstreamResolution } from './hub/upstream.js';
import type { FailOn, Finding, ModelReport, Report, RuleId, Severity } from './types.js';
import { VERSION } from './version.js';

export interface GateOptions {
  source: RepoSource;
  failOn: FailOn;
  /** Per-rule severity overrides ('off' disables a rule). */
  severities?: Partial<Record<RuleId, Severity | 'off'>>;
  catalog?: Catalog;
  /** The repository's policy file: paths, rule severities, license lists, exceptions, private bases. */
  policy?: Policy;
  /** "Today" for exception expiry dates; tests inject one. */
  today?: Date;
  /** Wall-clock budget for the whole run, in ms (default DEFAULT_TIME_BUDGET_MS). */
  timeBudgetMs?: number;
  /** Clock for the budget; tests inject one. */
  now?: () => number;
  /**
   * Looks up declared bases the catalog cannot judge (the Hub, src/hub/setup.ts). The gate stays
   * network-free: this is the only door, and without it nothing is looked up.
   */
  upstreams?: (declared: DeclaredBase[], catalog: Catalog) => Promise<UpstreamResolution>;
}

/** Model directories judged per run; a repo with more is reported, not walked without end. */
export const MAX_MODELS = 1000;
/** A hostile repo must not hold a CI runner hostage: models left when this runs out are reported. */
export const DEFAULT_TIME_BUDGET_MS = 60_000;

export async function runGate(options: GateOptions): Promise<Report> {
  const policy = options.policy;
  const catalog = extendCatalog(options.catalog ?? defaultCatalog(), policy?.catalog ?? {});
  const severities = { ...policy?.severities, ...options.severities };
  const now = options.now ?? Date.now;
  const started = now();
  const budget = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  const { entries, notes } = await options.source.list();
  const modelDirs = findModelDirs(entries);
  // The policy's paths/ignore choose the models before any of their files is read.
  const found = policy ? selectModelDirs(modelDirs, policy.paths) : modelDirs;
  const dirs = found.slice(0, MAX_MODELS);
  // Bounds hit by the run as a whole: said in the report (as malformed-file), never silent.
  const limits = notes.map((n) => `The repository was not read completely: ${n}.`);
  if (found.length > MAX_MODELS) {
    limits.push(
      `The repository holds ${found.length} model directories; only the first ${MAX_MODELS} were judged.`,
    );
  }
  const models: ModelReport[] = [];
  for (const dir of dirs) {
    if (now() - started >= budget) {
      limits.push(
        `The ${budget / 1000} s time budget ran out: ${dirs.length - models.length} of ${dirs.length} model directories (from ${dir} on) were not judged.`,
      );
      break;
    }
    const evidence = await collectEvidence(options.source, dir, filesForModel(dir, modelDirs, entries));
    const learned = options.upstreams ? await options.upstreams(declaredBases(evidence), catalog) : null;
    const judgeCatalog = learned ? extendCatalog(catalog, learned.extension) : catalog;
    const judged = judgeModel(evidence, judgeCatalog, severities, policy);
    if (learned?.records.length) judged.upstreams = learned.records;
    models.push(policy ? exceptModel(judged, policy.exceptions, options.today ?? new Date()) : judged);
  }
  addRunLimits(models, limits, severities['malformed-file']);
  const all = models.flatMap((m) => m.findings);
  const summary = {
    errors: all.filter((f) => f.severity === 'error').length,
    warnings: all.filter((f) => f.severity === 'warning').length,
    notices: all.filter((f) => f.severity === 'notice').length,
  };
  const failed =
    options.failOn === 'error'
      ? summary.errors > 0
      : options.failOn === 'warning'
        ? summary.errors + summary.warnings > 0
        : false;
  return {
    schemaVersion: 1,
    tool: { name: 'lineage-gate', version: VERSION },
    target: options.source.target,
    verdict: failed ? 'fail' : 'pass',
    failOn: options.failOn,
    models,
    summary,
  };
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, notice: 2 };

/** Run-wide limits go to the root model's findings (a bare '.' entry when the root is no model). */
function addRunLimits(models: ModelReport[], limits: string[], override: Severity | 'off' | undefined): void {
  if (limits.length === 0 || override === 'off') return;
  let root = models.find((m) => m.path === '.');
  if (!root) {
    root = {
      path: '.',
      declared: { license: null, baseModels: [], relation: null },
      lineage: [],
      findings: [],
    };
    models.unshift(root);
  }
  root.findings.unshift(
    ...limits.map((message) => ({
      rule: 'malformed-file' as const,
      severity: override ?? ('error' as const),
      message,
      fix: 'Check a smaller tree (the `path` input or the CLI DIR) or remove the excess; nothing past the limit was judged.',
    })),
  );
}

export function judgeModel(
  model: ModelEvidence,
  catalog: Catalog,
  severities: Partial<Record<RuleId, Severity | 'off'>>,
  policy?: Policy,
): ModelReport {
  // A config.json that contradicts its own safetensors headers is a malformed file.
  const contradictions = configContradictions(model);
  if (contradictions.length) model = { ...model, problems: [...model.problems, ...contradictions] };
  const texts = textIndex(model);
  const lineage = inferLineage(model, catalog, texts);
  const evidence = summarizeEvidence(model);
  const ctx: RuleContext = { model, lineage, catalog, texts, ...(policy ? { policy } : {}) };
  const findings: Finding[] = [];
  for (const rule of RULES) {
    const override = severities[rule.id];
    if (override === 'off') continue;
    for (const f of rule.check(ctx)) {
      const { severity, ...rest } = f;
      findings.push({ rule: rule.id, severity: override ?? severity ?? rule.defaultSeverity, ...rest });
    }
  }
  findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const obligations = [
    ...new Set(
      lineage
        .filter((l) => l.strength === 'strong')
        .flatMap((l) => licenseOf(catalog, l.checkpoint).restrictions.map((r) => `${l.base}: ${r}`)),
    ),
  ];
  return {
    path: model.dir,
    declared: {
      license: model.card?.license?.value ?? null,
      baseModels: (model.card?.baseModels ?? []).map((b) => b.value),
      relation: model.card?.relation?.value ?? null,
    },
    lineage: lineage.map(({ checkpoint: _c, match: _m, attribution: _a, fromWeights: _w, ...l }) => l),
    findings,
    ...(obligations.length ? { obligations } : {}),
    ...(evidence ? { evidence } : {}),
  };
}
