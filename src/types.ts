// Types at the pipeline's boundaries. The Report types are the JSON contract of DESIGN.md
// (schemaVersion 1): change them only on purpose, and document the change in the README.

export type Severity = 'error' | 'warning' | 'notice';
export type FailOn = 'error' | 'warning' | 'never';

export const RULE_IDS = [
  'undeclared-base',
  'architecture-reuse',
  'missing-upstream-license',
  'missing-notice',
  'license-conflict',
  'invalid-license',
  'missing-license',
  'base-mismatch',
  'naming',
  'display-attribution',
  'malformed-file',
  // Added by the policy file (allow-licenses / deny-licenses / fail-on-unknown-license).
  'disallowed-license',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const SIGNAL_KINDS = [
  'architectures',
  'config-fingerprint',
  'tokenizer',
  'tensor-signature',
  'lfs-oid',
  'adapter-config',
  'mergekit',
  'gguf-metadata',
  'card-base-model',
] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** One piece of evidence tying a model directory to a base. `file` is relative to the target root. */
export interface Signal {
  kind: SignalKind;
  file: string;
  line?: number;
  detail: string;
}

export interface Lineage {
  /** Hugging Face repo id of the closest known checkpoint. */
  base: string;
  family: string;
  strength: 'strong' | 'weak';
  /** True when the repo declares or attributes this base (or a known ancestor/descendant of it). */
  declared: boolean;
  signals: Signal[];
  /** Other catalog checkpoints the same signals fit equally well (same geometry). */
  alternatives?: string[];
}

export interface Finding {
  rule: RuleId;
  severity: Severity;
  base?: string;
  /** Path relative to the target root, `/` separators. */
  file?: string;
  line?: number;
  message: string;
  fix: string;
}

/** A finding covered by a policy exception, with the exception's reason (and expiry) on record. */
export interface SuppressedFinding extends Finding {
  exception: { reason: string; expires?: string };
}

export interface EvidenceSummary {
  tokenizer?: { file: string; kind: string; vocabSize: number };
  weights?: { file: string; shards: number; headersRead: number; tensors: number; dtypes: string[] };
  gguf?: { file: string; architecture: string | null };
  /** Weights files that are Git LFS pointers (object id and size), at most 50 listed. */
  lfsPointers?: { count: number; bytes: number; files: { file: string; oid: string; size: number }[] };
}

export interface DeclaredLineage {
  license: string | null;
  baseModels: string[];
  relation: string | null;
}

export interface ModelReport {
  path: string;
  declared: DeclaredLineage;
  lineage: Lineage[];
  findings: Finding[];
  /** Obligations that cannot be checked mechanically (MAU caps, field-of-use, display rules). */
  obligations?: string[];
  /** What was read beyond the card and config: tokenizer, weight headers, GGUF, LFS pointers. */
  evidence?: EvidenceSummary;
  /** Findings a live policy exception suppressed; they do not count towards the verdict. */
  suppressed?: SuppressedFinding[];
  /** Declared bases the catalog lacks, looked up on the Hub, with their own bases (the chain). */
  upstreams?: UpstreamRecord[];
}

export type UpstreamStatus = 'resolved' | 'gated' | 'missing' | 'offline' | 'error';

/** One upstream repo read from the Hub (or found in the catalog while following a chain). */
export interface UpstreamRecord {
  /** Hugging Face repo id. */
  id: string;
  status: UpstreamStatus;
  /** License key applied to derivatives (a catalog license, `spdx:…` or `hf:…`); null when unknown. */
  license: string | null;
  /** What declared it: `file:line` in this repo, or the id of the upstream whose card names it. */
  via: string;
  /** For a declared base: the ids from it up to its root (or the first catalog base). */
  chain?: string[];
  /** Why the status is not `resolved`, or where the license was read. */
  detail?: string;
}

export type Target = { kind: 'local'; path: string } | { kind: 'hub'; repo: string; revision: string };

export interface Report {
  schemaVersion: 1;
  tool: { name: 'lineage-gate'; version: string };
  target: Target;
  verdict: 'pass' | 'fail';
  failOn: FailOn;
  models: ModelReport[];
  summary: { errors: number; warnings: number; notices: number };
}

/** A bad file met while reading: becomes a `malformed-file` finding. */
export interface Problem {
  file: string;
  line?: number;
  message: string;
  /** Lower than the rule's default when the file was still usable (e.g. read up to its bound). */
  severity?: Severity;
}
