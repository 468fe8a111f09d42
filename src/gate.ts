// The pipeline: source → evidence → lineage → rules → Report. The Action and the CLI both call
// runGate and differ only in how they present the Report.
import type { FailOn, Report, Severity, RuleId } from './types.js';
import type { RepoSource } from './sources/source.js';

export interface GateOptions {
  source: RepoSource;
  failOn: FailOn;
  /** Per-rule severity overrides ('off' disables a rule). */
  severities?: Partial<Record<RuleId, Severity | 'off'>>;
  /** Changed files (relative paths) from the PR, used to rank annotations. */
  changedFiles?: string[];
}

export async function runGate(_options: GateOptions): Promise<Report> {
  throw new Error('not implemented yet');
}
