import type { RuleId } from '../types.js';

const DOCS_BASE = 'https://github.com/lineage-gate/lineage-gate/blob/main/docs/rules/';

/** Where a rule's documentation lives (one page per stable rule id). */
export function docsUrl(rule: RuleId): string {
  return `${DOCS_BASE}${rule}.md`;
}
