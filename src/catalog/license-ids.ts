// Reading a card's `license` value: a Hugging Face license id, or an SPDX expression. SPDX ids
// are case-sensitive while the Hub writes them in lower case, so ids are matched through an
// explicit lower-case map (never guessed with spdx-correct).
import parse from 'spdx-expression-parse';
import spdxIds from 'spdx-license-ids';
import deprecatedIds from 'spdx-license-ids/deprecated.json' with { type: 'json' };

// The Hub's own ids that are not SPDX ids (shared/reference/licenses.md, "Hugging Face card
// metadata"); the rest of its list is lower-cased SPDX ids, accepted through the map below.
const HF_ONLY_IDS = new Set([
  'openrail',
  'openrail++',
  'bigscience-openrail-m',
  'creativeml-openrail-m',
  'bigscience-bloom-rail-1.0',
  'bigcode-openrail-m',
  'llama2',
  'llama3',
  'llama3.1',
  'llama3.2',
  'llama3.3',
  'llama4',
  'gemma',
  'grok2-community',
  'unknown',
  'other',
]);

const SPDX_BY_LOWER = new Map<string, string>(
  [...spdxIds, ...deprecatedIds].map((id) => [id.toLowerCase(), id]),
);

// Licenses that carry no use restriction and no field-of-use limit: declaring one of these on a
// derivative of a restricted base drops the base's restrictions.
const UNRESTRICTED_SPDX = new Set([
  'MIT',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'ISC',
  '0BSD',
  'Unlicense',
  'CC0-1.0',
  'CC-BY-4.0',
  'CC-BY-SA-4.0',
  'CC-BY-3.0',
  'MPL-2.0',
  'GPL-3.0',
  'GPL-3.0-only',
  'GPL-3.0-or-later',
  'LGPL-3.0',
  'AGPL-3.0',
  'AFL-3.0',
  'Artistic-2.0',
  'BSL-1.0',
  'ECL-2.0',
  'EPL-2.0',
  'EUPL-1.2',
  'WTFPL',
  'PostgreSQL',
  'Zlib',
  'OFL-1.1',
]);

export type DeclaredLicense =
  | { kind: 'hf'; id: string }
  | { kind: 'spdx'; expression: string; ids: string[] }
  | { kind: 'invalid'; reason: string };

export function readLicense(value: string): DeclaredLicense {
  const v = value.trim();
  if (HF_ONLY_IDS.has(v.toLowerCase())) return { kind: 'hf', id: v.toLowerCase() };
  // Map each id token to its SPDX spelling; operators and parentheses stay as written.
  const mapped = v.replace(/[A-Za-z0-9.+-]+/g, (tok) => {
    const upper = tok.toUpperCase();
    if (upper === 'AND' || upper === 'OR' || upper === 'WITH') return upper;
    const plus = tok.endsWith('+') && !SPDX_BY_LOWER.has(tok.toLowerCase());
    const bare = plus ? tok.slice(0, -1) : tok;
    return (SPDX_BY_LOWER.get(bare.toLowerCase()) ?? bare) + (plus ? '+' : '');
  });
  try {
    const ids: string[] = [];
    collect(parse(mapped), ids);
    return { kind: 'spdx', expression: mapped, ids };
  } catch {
    return {
      kind: 'invalid',
      reason: `"${v}" is neither a Hugging Face license id nor a valid SPDX expression`,
    };
  }
}

type Node = ReturnType<typeof parse>;
function collect(node: Node, ids: string[]): void {
  if ('license' in node) ids.push(node.license);
  else {
    collect(node.left, ids);
    collect(node.right, ids);
  }
}

/** True when every license in the declared value is free of use restrictions. */
export function isUnrestricted(d: DeclaredLicense): boolean {
  return d.kind === 'spdx' && d.ids.length > 0 && d.ids.every((id) => UNRESTRICTED_SPDX.has(id));
}

/** True when the declared value permits commercial use (no -NC- license in it). */
export function allowsCommercial(d: DeclaredLicense): boolean {
  return d.kind === 'spdx' && d.ids.every((id) => !/-NC(-|$)/.test(id));
}
