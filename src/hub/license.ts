// Which license an upstream repo is under, and so what it obliges derivatives to do: from the card's
// `license` (a Hub id or an SPDX expression, with `license_name` for `other`), else from its license
// files, matched by distinctive phrases of the catalog's own license entries. The answer is a key
// of the catalog's license table, or a new entry for a license the table lacks.
import type { LicenseFacts } from '../catalog/index.js';
import { allowsCommercial, isUnrestricted, readLicense } from '../catalog/license-ids.js';
import { normalizeForMatch } from '../evidence/texts.js';

export interface LicenseText {
  file: string;
  text: string;
}

export interface IdentifiedLicense {
  /** Key into the license table (existing, or one of `added`); null when nothing says. */
  key: string | null;
  /** Where it was read: `README.md license: mit`, `LICENSE (text)`. */
  via: string | null;
  /** A `Copyright …` line of the license text, for licenses whose notice must travel. */
  copyright?: string;
  /** License entries the table lacks, keyed as `key`. */
  added: Record<string, LicenseFacts>;
}

// Titles of license agreements that carry no SPDX id; the phrases are the agreements' headings.
const TITLES: [string, string][] = [
  ['llama 3.3 community license agreement', 'llama3.3'],
  ['llama 3.2 community license agreement', 'llama3.2'],
  ['llama 3.1 community license agreement', 'llama3.1'],
  ['meta llama 3 community license agreement', 'llama3'],
  ['llama 2 community license agreement', 'llama2'],
  ['gemma terms of use', 'gemma'],
  ['qwen research license agreement', 'qwen-research'],
  ['qwen license agreement', 'qwen'],
];

const COPYRIGHT = /^[ \t#>*]*(copyright[ \t]+(?:\(c\)|©|\d{4}).{0,200})$/im;

export function copyrightLine(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const m = COPYRIGHT.exec(line);
    if (!m) continue;
    const c = m[1].trim().replace(/[ \t]+/g, ' ');
    if (/\[yyyy\]|\{yyyy\}|<year>|\[name of/i.test(c)) continue; // a template's placeholder
    return c;
  }
  return undefined;
}

function keyBy(table: Record<string, LicenseFacts>, pred: (f: LicenseFacts) => boolean): string | null {
  return Object.entries(table).find(([, f]) => pred(f))?.[0] ?? null;
}

/** A license entry for an SPDX expression or Hub id that the table lacks. */
function synthesized(value: string, source: string, kind: LicenseFacts['kind'], spdx: string): LicenseFacts {
  return {
    name: `${value} license`,
    spdx,
    hfIds: [value.toLowerCase()],
    kind,
    requires: `the terms of the ${value} license`,
    textPhrases: [],
    copyrightRequired: false,
    missingTextSeverity: 'warning',
    noticePhrases: [],
    displayPhrases: [],
    restrictions:
      kind === 'non-commercial'
        ? ['non-commercial use only']
        : kind === 'restricted'
          ? [`the use restrictions of the ${value} license`]
          : [],
    source,
  };
}

/** The license named by a card's `license` (and `license_name`), or null when it names none. */
export function licenseFromCard(
  value: string,
  licenseName: string | null,
  table: Record<string, LicenseFacts>,
  source: string,
): { key: string; added: Record<string, LicenseFacts> } | null {
  const d = readLicense(value);
  if (d.kind === 'invalid') return null;
  if (d.kind === 'hf') {
    if (d.id === 'unknown') return null;
    if (d.id === 'other') {
      const name = licenseName?.trim().toLowerCase();
      const key = name ? keyBy(table, (f) => (f.hfLicenseNames ?? []).includes(name)) : null;
      return key ? { key, added: {} } : null;
    }
    const key = keyBy(table, (f) => f.hfIds.includes(d.id));
    if (key) return { key, added: {} };
    // OpenRAIL, Llama 4, Grok… carry use restrictions the table does not spell out.
    const k = `hf:${d.id}`;
    return { key: k, added: { [k]: synthesized(d.id, source, 'restricted', `LicenseRef-${d.id}`) } };
  }
  if (d.ids.length === 1) {
    const key = keyBy(table, (f) => f.spdx === d.ids[0]);
    if (key) return { key, added: {} };
  }
  const kind = !allowsCommercial(d) ? 'non-commercial' : isUnrestricted(d) ? 'permissive' : 'unknown';
  const k = `spdx:${d.expression}`;
  return { key: k, added: { [k]: synthesized(d.expression, source, kind, d.expression) } };
}

/** The license a license file's text is, by phrases of the catalog's entries and agreement titles. */
export function licenseFromText(text: string, table: Record<string, LicenseFacts>): string | null {
  const norm = normalizeForMatch(text);
  const has = (p: string) => norm.includes(normalizeForMatch(p));
  // Restricted agreements first: a file holding both MIT (for code) and an agreement is the agreement.
  for (const [title, key] of TITLES) if (table[key] && has(title)) return key;
  for (const [key, f] of Object.entries(table)) {
    if (f.kind === 'permissive' || f.kind === 'unknown') continue;
    if (f.textPhrases.length && f.textPhrases.every(has)) return key;
    if (f.noticePhrases.some(has)) return key;
  }
  for (const [key, f] of Object.entries(table)) {
    if (f.kind !== 'permissive') continue;
    if (f.textPhrases.length && f.textPhrases.every(has)) return key;
    if (f.textAlternatives?.length && f.textAlternatives.every(has)) return key;
  }
  return null;
}

/**
 * The upstream's license: the card's value when it names one, else its license files. The card
 * wins because it is what the Hub shows; a file that contradicts it is the upstream's problem.
 */
export function identifyLicense(
  card: { file: string; license: string | null; licenseName: string | null } | null,
  files: LicenseText[],
  table: Record<string, LicenseFacts>,
  source: string,
): IdentifiedLicense {
  let key: string | null = null;
  let via: string | null = null;
  let added: Record<string, LicenseFacts> = {};
  if (card?.license) {
    const got = licenseFromCard(card.license, card.licenseName, table, source);
    if (got) {
      ({ key, added } = got);
      via = `${card.file} license: ${card.license}${card.licenseName ? ` (${card.licenseName})` : ''}`;
    }
  }
  let copyrightFrom: LicenseText | undefined;
  for (const f of files) {
    const k = licenseFromText(f.text, table);
    if (!k) continue;
    if (!key) {
      key = k;
      via = `${f.file} (text)`;
    }
    if (k === key) {
      copyrightFrom = f;
      break;
    }
  }
  const copyright = copyrightLine((copyrightFrom ?? files[0])?.text ?? '');
  return { key, via, added, ...(copyright ? { copyright } : {}) };
}
