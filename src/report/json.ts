import type { Report } from '../types.js';

/** The JSON report (DESIGN.md schemaVersion 1), pretty-printed, ending in a newline. */
export function formatJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}
