// The rule registry, in report order. Each rule is its own module with docs in docs/rules/<id>.md.
import type { RuleId } from '../types.js';
import { architectureReuse } from './architecture-reuse.js';
import { baseMismatch } from './base-mismatch.js';
import { displayAttribution } from './display-attribution.js';
import { disallowedLicense } from './disallowed-license.js';
import { invalidLicense } from './invalid-license.js';
import { licenseConflict } from './license-conflict.js';
import { malformedFile } from './malformed-file.js';
import { missingLicense } from './missing-license.js';
import { missingNotice } from './missing-notice.js';
import { missingUpstreamLicense } from './missing-upstream-license.js';
import { naming } from './naming.js';
import type { Rule } from './rule.js';
import { undeclaredBase } from './undeclared-base.js';

export const RULES: readonly Rule[] = [
  malformedFile,
  undeclaredBase,
  baseMismatch,
  missingUpstreamLicense,
  missingNotice,
  licenseConflict,
  invalidLicense,
  missingLicense,
  architectureReuse,
  naming,
  displayAttribution,
  disallowedLicense,
];

export const RULES_BY_ID: ReadonlyMap<RuleId, Rule> = new Map(RULES.map((r) => [r.id, r]));
