// Where the project lives, in one place: rule docs, SARIF helpUri and informationUri link here.
import type { RuleId } from '../types.js';

/** The project's GitHub repository. */
export const REPO_URL = 'https://github.com/lineage-gate/lineage-gate';

/** A rule's documentation page, relative to the repository root. */
export function docsPath(rule: RuleId): string {
  return `docs/rules/${rule}.md`;
}

/** Where a rule's documentation lives (one page per stable rule id). */
export function docsUrl(rule: RuleId): string {
  return `${REPO_URL}/blob/main/${docsPath(rule)}`;
}
