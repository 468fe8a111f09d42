// The pipeline: source → evidence → lineage → rules → Report. The Action and the CLI both call
// runGate and differ only in how they present the Report.
import { defaultCatalog, type Catalog } from './catalog/index.js';
import { collectEvidence } from './evidence/collect.js';
import { filesForModel, findModelDirs } from './evidence/discover.js';
import type { ModelEvidence } from './evidence/types.js';
import { textIndex } from './lineage/declared.js';
import { inferLineage } from './lineage/infer.js';
import { configContradictions } from './lineage/weights.js';
import { summarizeEvidence } from './evidence/summary.js';
import { RULES } from './rules/index.js';
import type { RuleContext } from './rules/rule.js';
import { licenseOf } from './rules/rule.js';
import type { RepoSource } from './sources/source.js';
import type { FailOn, Finding, ModelReport, Report, RuleId, Severity } from './types.js';
import { VERSION } from './version.js';

export interface GateOptions {
  source: RepoSource;
  failOn: FailOn;
  /** Per-rule severity overrides ('off' disables a rule). */
  severities?: Partial<Record<RuleId, Severity | 'off'>>;
  catalog?: Catalog;
}

/** Model directories judged per run; a repo with more is reported, not walked without end. */
export const MAX_MODELS = 1000;

export async function runGate(options: GateOptions): Promise<Report> {
  const catalog = options.catalog ?? defaultCatalog();
  const { entries } = await options.source.list();
  const dirs = findModelDirs(entries).slice(0, MAX_MODELS);
  const models: ModelReport[] = [];
  for (const dir of dirs) {
    const evidence = await collectEvidence(options.source, dir, filesForModel(dir, dirs, entries));
    models.push(judgeModel(evidence, catalog, options.severities ?? {}));
  }
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

export function judgeModel(
  model: ModelEvidence,
  catalog: Catalog,
  severities: Partial<Record<RuleId, Severity | 'off'>>,
): ModelReport {
  // A config.json that contradicts its own safetensors headers is a malformed file.
  const contradictions = configContradictions(model);
  if (contradictions.length) model = { ...model, problems: [...model.problems, ...contradictions] };
  const texts = textIndex(model);
  const lineage = inferLineage(model, catalog, texts);
  const evidence = summarizeEvidence(model);
  const ctx: RuleContext = { model, lineage, catalog, texts };
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
