// allow-licenses / deny-licenses: SPDX expressions evaluated as SPDX defines them. A card's
// `MIT OR Apache-2.0` lets the user pick either license, so it passes when one side is allowed;
// `MIT AND GPL-3.0-only` binds both, so denying either denies it. Hugging Face ids (`apache-2.0`,
// `llama3.1`, `gemma`) are mapped onto the same keys as their SPDX spellings, so a list may use
// either form.
import parse from 'spdx-expression-parse';
import type { LicenseFacts } from '../catalog/index.js';
import { readLicense } from '../catalog/license-ids.js';

/** Longer expressions are not evaluated: the SPDX parser recurses per operator. */
export const MAX_EXPRESSION_LENGTH = 1000;

/** One license of an expression: its canonical key (lower case) and how to show it. */
export interface LicenseLeaf {
  key: string;
  /** The key without a `WITH` exception (an exception only adds permissions to its license). */
  bareKey: string;
  label: string;
}

export type LicenseExpr = { leaf: LicenseLeaf } | { op: 'and' | 'or'; left: LicenseExpr; right: LicenseExpr };

/** A license value read for judging: an expression, or why it cannot be identified. */
export type ReadExpr = { ok: true; expr: LicenseExpr } | { ok: false; why: string };

type SpdxNode = ReturnType<typeof parse>;

// SPDX deprecated the bare GNU ids in favour of -only / -or-later; the Hub still writes `gpl-3.0`.
const GNU_BARE = /^(?:A?GPL-[123]\.0|LGPL-2\.[01]|LGPL-3\.0|GFDL-1\.[123])$/;
// SPDX: "License identifiers … should be matched in a case-insensitive manner".
const UNIDENTIFIED = new Set(['noassertion', 'none', 'unknown', 'other']);

function canonicalId(license: string, plus: boolean): string {
  if (GNU_BARE.test(license)) return `${license}-${plus ? 'or-later' : 'only'}`;
  return plus ? `${license}+` : license;
}

/** SPDX id of a Hub-only id from the license table (`llama3.1` → LicenseRef-Llama-3.1-Community). */
function spdxOfHfId(id: string, licenses: Record<string, LicenseFacts>): string | null {
  const lic = licenses[id] ?? Object.values(licenses).find((l) => l.hfIds.includes(id));
  return lic && lic.spdx !== 'NOASSERTION' ? lic.spdx : null;
}

function leafOf(node: { license: string; plus?: boolean; exception?: string }): LicenseLeaf {
  const id = canonicalId(node.license, node.plus === true);
  const label = node.exception ? `${id} WITH ${node.exception}` : id;
  return { key: label.toLowerCase(), bareKey: id.toLowerCase(), label };
}

function fromSpdx(node: SpdxNode): LicenseExpr {
  if ('license' in node) return { leaf: leafOf(node) };
  return { op: node.conjunction, left: fromSpdx(node.left), right: fromSpdx(node.right) };
}

/**
 * Reads a license value (a card's `license`, a policy list entry, a base's license) into an
 * expression of canonical keys. `licenses` maps Hub-only ids to their SPDX LicenseRef.
 */
export function readExpression(value: string, licenses: Record<string, LicenseFacts>): ReadExpr {
  const v = value.trim();
  if (v.length > MAX_EXPRESSION_LENGTH) {
    return { ok: false, why: `is longer than ${MAX_EXPRESSION_LENGTH} characters` };
  }
  if (UNIDENTIFIED.has(v.toLowerCase())) return { ok: false, why: 'does not identify a license' };
  const d = readLicense(v);
  if (d.kind === 'invalid')
    return { ok: false, why: 'is neither a Hugging Face license id nor an SPDX expression' };
  if (d.kind === 'hf') {
    const spdx = spdxOfHfId(d.id, licenses);
    const key = (spdx ?? d.id).toLowerCase();
    return { ok: true, expr: { leaf: { key, bareKey: key, label: spdx ? `${d.id} (${spdx})` : d.id } } };
  }
  try {
    return { ok: true, expr: fromSpdx(parse(d.expression)) };
  } catch {
    return { ok: false, why: 'cannot be parsed as an SPDX expression' };
  }
}

/** A policy list entry must name one license (optionally `WITH` an exception), not a compound. */
export function readTerm(value: string, licenses: Record<string, LicenseFacts>): LicenseLeaf | string {
  const r = readExpression(value, licenses);
  if (!r.ok) return `"${value}" ${r.why}`;
  if (!('leaf' in r.expr)) {
    return `"${value}" is an expression; list single licenses (e.g. both sides of an OR as two entries)`;
  }
  return r.expr.leaf;
}

export interface LicenseLists {
  /** Keys of allowed licenses; null when the policy has no allow-list (everything not denied passes). */
  allow: Set<string> | null;
  deny: Set<string>;
}

function leafAllowed(l: LicenseLeaf, lists: LicenseLists): boolean {
  return lists.allow === null || lists.allow.has(l.key) || lists.allow.has(l.bareKey);
}

function leafDenied(l: LicenseLeaf, lists: LicenseLists): boolean {
  return lists.deny.has(l.key) || lists.deny.has(l.bareKey);
}

/** Whether some choice the expression offers uses only licenses that pass `ok`. */
function satisfiable(e: LicenseExpr, ok: (l: LicenseLeaf) => boolean): boolean {
  if ('leaf' in e) return ok(e.leaf);
  const l = satisfiable(e.left, ok);
  const r = satisfiable(e.right, ok);
  return e.op === 'and' ? l && r : l || r;
}

function leaves(e: LicenseExpr, out: LicenseLeaf[] = []): LicenseLeaf[] {
  if ('leaf' in e) out.push(e.leaf);
  else {
    leaves(e.left, out);
    leaves(e.right, out);
  }
  return out;
}

export type LicenseVerdict =
  { ok: true } | { ok: false; reason: 'denied' | 'not-allowed'; licenses: string[] };

/**
 * An expression passes when at least one choice it offers (one side of every OR) consists of
 * licenses that are allowed (when there is an allow-list) and not denied.
 */
export function judgeExpression(e: LicenseExpr, lists: LicenseLists): LicenseVerdict {
  if (satisfiable(e, (l) => leafAllowed(l, lists) && !leafDenied(l, lists))) return { ok: true };
  // Name the cause a reader can act on: when the allow-list alone would pass, the deny-list blocks.
  const denied = satisfiable(e, (l) => leafAllowed(l, lists));
  const blocking = leaves(e).filter((l) => (denied ? leafDenied(l, lists) : !leafAllowed(l, lists)));
  return {
    ok: false,
    reason: denied ? 'denied' : 'not-allowed',
    licenses: [...new Set(blocking.map((l) => l.label))],
  };
}
