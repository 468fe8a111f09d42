// The resolved policy: what a repository's `.github/lineage-gate.yml` asks of the gate, in the form
// the pipeline uses (load.ts builds it). docs/policy.md documents every key.
import type { CatalogExtension } from '../catalog/index.js';
import type { FailOn, RuleId, Severity } from '../types.js';
import type { PolicyException } from './exceptions.js';
import type { PathFilter } from './paths.js';

export interface LicensePolicy {
  /** Single licenses (Hub ids or SPDX ids); null when the policy has no allow-list. */
  allow: string[] | null;
  deny: string[];
  /** A model (or strong-lineage base) whose license cannot be identified fails. */
  failOnUnknown: boolean;
}

export interface Policy {
  /** Where the policy came from, for messages ('' for an inline or empty policy). */
  file: string;
  failOn?: FailOn;
  severities: Partial<Record<RuleId, Severity | 'off'>>;
  paths: PathFilter;
  licenses: LicensePolicy;
  exceptions: PolicyException[];
  /** Private bases (`bases`). */
  catalog: CatalogExtension;
}

/** The policy of a repository without a policy file: the gate's defaults. */
export function emptyPolicy(file = ''): Policy {
  return {
    file,
    severities: {},
    paths: { include: [], exclude: [] },
    licenses: { allow: null, deny: [], failOnUnknown: false },
    exceptions: [],
    catalog: {},
  };
}

/** True when the policy asks for license checks (the disallowed-license rule). */
export function checksLicenses(p: LicensePolicy): boolean {
  return p.allow !== null || p.deny.length > 0 || p.failOnUnknown;
}
