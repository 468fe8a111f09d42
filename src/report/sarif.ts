// SARIF 2.1.0 for GitHub code scanning (github/codeql-action/upload-sarif). One reportingDescriptor
// per gate rule, whether it fired or not, so code scanning knows every rule's help; one result per
// finding with a physical location and a partial fingerprint that ignores line numbers, so an alert
// survives edits above it and is closed when the finding goes away.
import { createHash } from 'node:crypto';
import { RULES } from '../rules/index.js';
import type { Finding, Report, Severity } from '../types.js';
import { docsPath, docsUrl, REPO_URL } from './links.js';
import { plainText, uriPath } from './escape.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Code scanning resolves `%SRCROOT%` to the repository checkout. */
export const SRCROOT = '%SRCROOT%';
/** Versioned, so a future change of the hashed fields does not silently reopen every alert. */
export const FINGERPRINT_KEY = 'lineageGateFinding/v1';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', notice: 'note' };

export interface SarifOptions {
  /** Prepended to every target-relative path (the Action's `path` input, e.g. `models/acme/`). */
  pathPrefix?: string;
  /**
   * An absolute URI that target paths resolve against instead of %SRCROOT%: a Hub target's files are
   * not in the checkout, so they are located on the Hub (`<endpoint>/<repo>/blob/<commit>/`).
   */
  artifactBase?: string;
}

// The SARIF subset this reporter writes; the official schema validates it in the tests.
interface SarifMessage {
  text: string;
  markdown?: string;
}
interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription: SarifMessage;
  help: SarifMessage;
  helpUri: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[] };
}
interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string; uriBaseId?: string };
      region?: { startLine: number };
    };
  }[];
  partialFingerprints: Record<string, string>;
  properties: Record<string, string>;
}
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        semanticVersion: string;
        informationUri: string;
        rules: SarifRule[];
      };
    };
    originalUriBaseIds: Record<string, { description: SarifMessage }>;
    results: SarifResult[];
    columnKind: 'utf16CodeUnits';
  }[];
}

/** "undeclared-base" → "UndeclaredBase" (SARIF's `name` is meant to be an identifier). */
function pascal(id: string): string {
  return id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}

function sarifRules(): SarifRule[] {
  return RULES.map((r) => {
    const url = docsUrl(r.id);
    const when = `Fires when ${r.description}.`;
    return {
      id: r.id,
      name: pascal(r.id),
      shortDescription: { text: `Lineage Gate: ${r.id}` },
      fullDescription: { text: when },
      help: {
        text: `${when} Default severity: ${r.defaultSeverity}. Each result's message says what to add or change. What the rule checks, why it matters, how to fix it and an example: ${url}`,
        markdown: `**${r.id}** (default severity: ${r.defaultSeverity})\n\n${when}\n\nEach result's message says what to add or change. What the rule checks, why it matters, how to fix it and an example: [${docsPath(r.id)}](${url}).`,
      },
      helpUri: url,
      defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
      properties: { tags: ['license', 'lineage', 'ml-model'] },
    };
  });
}

/** Lower-cased, whitespace collapsed, and any `:line` or "line N" taken out. */
function normalizeMessage(message: string): string {
  return message
    .toLowerCase()
    .replace(/:\d+(:\d+)?\b/g, '')
    .replace(/\blines?\s+\d+\b/g, 'line')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A hash of what identifies a finding across runs: rule, file, base and message, never the line. */
export function findingFingerprint(f: Finding, file: string): string {
  const parts = [f.rule, file, f.base ?? '', normalizeMessage(f.message)];
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** The SARIF log of a report (an object; `formatSarif` serializes it). */
export function buildSarif(report: Report, options: SarifOptions = {}): SarifLog {
  const prefix = options.pathPrefix ?? '';
  const rules = sarifRules();
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const seen = new Map<string, number>();
  const results: SarifResult[] = [];
  for (const m of report.models) {
    for (const f of m.findings) {
      // A finding about no single file (rare) is located at its model directory.
      const file = prefix + (f.file ?? (m.path === '.' ? '' : `${m.path}/`));
      let fp = findingFingerprint(f, file);
      // Identical findings in one run get distinct, still line-independent fingerprints.
      const n = seen.get(fp) ?? 0;
      seen.set(fp, n + 1);
      if (n > 0) fp = `${fp}:${n}`;
      const physicalLocation: SarifResult['locations'][number]['physicalLocation'] = {
        artifactLocation: options.artifactBase
          ? { uri: options.artifactBase + uriPath(file) }
          : { uri: file === '' ? '.' : uriPath(file), uriBaseId: SRCROOT },
      };
      if (f.file !== undefined && f.line !== undefined) physicalLocation.region = { startLine: f.line };
      const properties: Record<string, string> = { model: plainText(m.path), docs: docsUrl(f.rule) };
      if (f.base) properties.base = plainText(f.base);
      results.push({
        ruleId: f.rule,
        ruleIndex: index.get(f.rule)!,
        level: LEVEL[f.severity],
        message: { text: plainText(f.fix ? `${f.message}\n\nFix: ${f.fix}` : f.message) },
        locations: [{ physicalLocation }],
        partialFingerprints: { [FINGERPRINT_KEY]: fp },
        properties,
      });
    }
  }
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: REPO_URL,
            rules,
          },
        },
        originalUriBaseIds: {
          [SRCROOT]: { description: { text: 'The root of the checked-out repository.' } },
        },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

/** SARIF 2.1.0 JSON, pretty-printed, ending in a newline. */
export function formatSarif(report: Report, options: SarifOptions = {}): string {
  return JSON.stringify(buildSarif(report, options), null, 2) + '\n';
}
