// Reports built by hand for the reporter tests: the verdict and summary follow from the findings,
// as runGate computes them (fail-on error).
import type { Finding, ModelReport, Report } from '../../src/types.js';

/** A model with nothing declared and no lineage, unless `extra` says otherwise. */
export function modelOf(
  path: string,
  findings: Finding[] = [],
  extra: Partial<ModelReport> = {},
): ModelReport {
  return {
    path,
    declared: { license: null, baseModels: [], relation: null },
    lineage: [],
    findings,
    ...extra,
  };
}

export function reportOfModels(models: ModelReport[]): Report {
  const all = models.flatMap((m) => m.findings);
  const count = (s: Finding['severity']) => all.filter((f) => f.severity === s).length;
  return {
    schemaVersion: 1,
    tool: { name: 'lineage-gate', version: '0.1.0' },
    target: { kind: 'local', path: '.' },
    verdict: count('error') ? 'fail' : 'pass',
    failOn: 'error',
    models,
    summary: { errors: count('error'), warnings: count('warning'), notices: count('notice') },
  };
}

/** One model at `modelPath` holding `findings`. */
export function reportOf(findings: Finding[], modelPath = '.'): Report {
  return reportOfModels([modelOf(modelPath, findings)]);
}
