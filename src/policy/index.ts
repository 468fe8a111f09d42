// Policy as code: loading, validating and applying `.github/lineage-gate.yml`.
export { checksLicenses, emptyPolicy, type LicensePolicy, type Policy } from './policy.js';
export { applyExceptions, exceptModel, type PolicyException } from './exceptions.js';
export { selectModelDirs, type PathFilter } from './paths.js';
export { findPolicy, DEFAULT_POLICY_FILE } from './find.js';
export { PolicyError, type PolicyProblem } from './error.js';
export { loadPolicy, parsePolicy, MAX_POLICY_BYTES } from './load.js';
