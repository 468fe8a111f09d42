// `bases`: private upstream models, added to the catalog so that a repo built on them gets strong
// lineage (by config geometry, like any catalog checkpoint) and their license's obligations.
import type { CatalogExtension, Checkpoint, LicenseFacts } from '../catalog/index.js';
import { isUnrestricted, readLicense } from '../catalog/license-ids.js';
import { CORE_FIELDS, normalizeShape } from '../lineage/shape.js';
import type { BaseEntry } from './schema.js';

export interface BaseIssue {
  /** Path inside the policy document (for the line). */
  path: (string | number)[];
  message: string;
}

/** The catalog's license key when the base's license is one the catalog knows and no facts override it. */
function knownLicenseKey(value: string, licenses: Record<string, LicenseFacts>): string | null {
  const d = readLicense(value);
  if (d.kind === 'hf') {
    if (licenses[d.id]) return d.id;
    return Object.keys(licenses).find((k) => licenses[k].hfIds.includes(d.id)) ?? null;
  }
  if (d.kind === 'spdx' && d.ids.length === 1) {
    const spdx = d.expression.toLowerCase();
    return Object.keys(licenses).find((k) => licenses[k].spdx.toLowerCase() === spdx) ?? null;
  }
  return null;
}

function licenseFactsFor(base: BaseEntry, from: LicenseFacts | undefined, source: string): LicenseFacts {
  const d = readLicense(base.license);
  const f = base['license-facts'] ?? {};
  return {
    name: f.name ?? from?.name ?? base.license,
    spdx: from?.spdx ?? (d.kind === 'spdx' ? d.expression : d.kind === 'hf' ? d.id : base.license),
    hfIds: from?.hfIds ?? [],
    ...(from?.hfLicenseNames ? { hfLicenseNames: from.hfLicenseNames } : {}),
    kind: f.kind ?? from?.kind ?? (isUnrestricted(d) ? 'permissive' : 'unknown'),
    requires: f.requires ?? from?.requires ?? 'what the policy file lists for it',
    textPhrases: f['text-phrases'] ?? from?.textPhrases ?? [],
    ...(from?.textAlternatives ? { textAlternatives: from.textAlternatives } : {}),
    copyrightRequired: f['copyright-required'] ?? from?.copyrightRequired ?? false,
    missingTextSeverity: from?.missingTextSeverity ?? 'error',
    noticePhrases: f['notice-phrases'] ?? from?.noticePhrases ?? [],
    displayPhrases: f['display-phrases'] ?? from?.displayPhrases ?? [],
    ...((f['name-prefix'] ?? from?.namePrefix) ? { namePrefix: f['name-prefix'] ?? from?.namePrefix } : {}),
    restrictions: f.restrictions ?? from?.restrictions ?? [],
    source,
  };
}

/** True when `value` is plain JSON data (no cycles from YAML anchors, bounded size). */
function isPlainData(value: unknown, maxChars: number): boolean {
  try {
    const s = JSON.stringify(value);
    return typeof s === 'string' && s.length <= maxChars;
  } catch {
    return false;
  }
}

const MAX_INLINE_CONFIG_CHARS = 1024 * 1024;

/**
 * Turns the policy's `bases` into a catalog extension. `configs[i]` is base i's config object (read
 * from its file by the loader when `config` is a path).
 */
export function basesToCatalog(
  bases: BaseEntry[],
  configs: Record<string, unknown>[],
  licenses: Record<string, LicenseFacts>,
  policyFile: string,
): { extension: CatalogExtension; issues: BaseIssue[] } {
  const issues: BaseIssue[] = [];
  const checkpoints: Omit<Checkpoint, 'shape'>[] = [];
  const added: Record<string, LicenseFacts> = {};
  const seen = new Set<string>();
  bases.forEach((base, i) => {
    const at = (key: string): (string | number)[] => ['bases', i, key];
    const id = base.id;
    if (seen.has(id.toLowerCase())) {
      issues.push({ path: at('id'), message: `base "${id}" is listed twice` });
      return;
    }
    seen.add(id.toLowerCase());
    if (readLicense(base.license).kind === 'invalid') {
      issues.push({
        path: at('license'),
        message: `"${base.license}" is neither a Hugging Face license id nor a valid SPDX expression`,
      });
      return;
    }
    const config = configs[i];
    if (!isPlainData(config, MAX_INLINE_CONFIG_CHARS)) {
      issues.push({
        path: at('config'),
        message: 'must be plain data of at most 1 MiB (no recursive anchors)',
      });
      return;
    }
    const flat =
      config.text_config && typeof config.text_config === 'object'
        ? { ...config, ...(config.text_config as Record<string, unknown>) }
        : config;
    const shape = normalizeShape(flat);
    const core = CORE_FIELDS.filter((f) => shape[f] !== undefined).length;
    if (shape.hidden_size === undefined || core < 2) {
      issues.push({
        path: at('config'),
        message:
          'has too few shape fields to fingerprint: it needs hidden_size and at least one more of ' +
          CORE_FIELDS.filter((f) => f !== 'hidden_size').join(', '),
      });
      return;
    }
    const source = `${policyFile}: bases[${i}] (${id})`;
    const known = knownLicenseKey(base.license, licenses);
    let licenseKey: string;
    if (known && !base['license-facts']) {
      licenseKey = known;
    } else {
      licenseKey = `policy:${id.toLowerCase()}`;
      added[licenseKey] = licenseFactsFor(base, known ? licenses[known] : undefined, source);
    }
    checkpoints.push({
      id,
      family: base.family ?? id.toLowerCase(),
      license: licenseKey,
      ...(base.copyright ? { copyright: base.copyright } : {}),
      config,
      // No classes: a private base is matched by geometry; naming a public family's class here
      // would turn every model of that architecture into weak lineage to the private base.
      classes: {},
      sources: { config: source, license: source },
      notes: `Private base from the policy file (${policyFile}).`,
    });
  });
  return {
    extension: { checkpoints, ...(Object.keys(added).length ? { licenses: added } : {}) },
    issues,
  };
}
