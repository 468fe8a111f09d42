// config.json → the facts lineage needs, each with its line. Parsing is strict JSON (what
// transformers accepts), and bounded in depth because the file comes from an untrusted repo.
import { getNodeValue, type Node } from 'jsonc-parser';
import { parseJsonBounded } from './nesting.js';
import path from 'node:path';
import type { Problem } from '../types.js';
import { lineStarts, positionAt } from './json-positions.js';
import type { ConfigEvidence, Positioned } from './types.js';

export const MAX_CONFIG_DEPTH = 64;
/**
 * Longest `model_type` / `_name_or_path` kept (PATH_MAX on Linux). Longer values are no real path or
 * type, and later matching on them (e.g. regexes over a path) must not pay for megabytes.
 */
export const MAX_CONFIG_STRING = 4096;

// Where multimodal configs keep the language model's fields; later entries win over earlier ones.
const NESTED_LM_PATHS: readonly (readonly string[])[] = [
  ['text_config'],
  ['llm_config'],
  ['language_config'],
  ['thinker_config', 'text_config'],
];

const isScalar = (n: Node): boolean =>
  n.type === 'string' || n.type === 'number' || n.type === 'boolean' || n.type === 'null';

function propertyNode(obj: Node, key: string): Node | undefined {
  let found: Node | undefined;
  // Last duplicate wins, as in getNodeValue and JSON.parse.
  for (const prop of obj.children ?? []) if (prop.children?.[0]?.value === key) found = prop;
  return found;
}

export function parseConfig(
  file: string,
  text: string,
): { config: ConfigEvidence | null; problems: Problem[] } {
  const name = path.posix.basename(file);
  const starts = lineStarts(text);
  const lineOf = (offset: number): number => positionAt(starts, offset).line;
  const fail = (message: string, line?: number): { config: null; problems: Problem[] } => ({
    config: null,
    problems: [line === undefined ? { file, message } : { file, line, message }],
  });

  const parsed = parseJsonBounded(text, MAX_CONFIG_DEPTH, starts);
  if (!parsed.ok) return fail(`${name} ${parsed.reason}`, parsed.line);
  const root = parsed.root;
  if (!root) return fail(`${name} is empty`, 1);
  if (root.type !== 'object') {
    return fail(`${name} must hold a JSON object at the top level, not ${root.type}`, lineOf(root.offset));
  }

  const raw = getNodeValue(root) as Record<string, unknown>;
  // Null prototype: keys such as "constructor" in a hostile config must not meet Object.prototype.
  const fields: Record<string, Positioned<unknown>> = Object.create(null);
  const collect = (obj: Node): void => {
    for (const prop of obj.children ?? []) {
      const [keyNode, valueNode] = prop.children ?? [];
      if (!keyNode || !valueNode || typeof keyNode.value !== 'string') continue;
      const scalarArray = valueNode.type === 'array' && (valueNode.children ?? []).every(isScalar);
      if (isScalar(valueNode) || scalarArray) {
        fields[keyNode.value] = { value: getNodeValue(valueNode), file, line: lineOf(keyNode.offset) };
      }
    }
  };
  collect(root);

  let nestedModelType: Positioned<string> | null = null;
  for (const keys of NESTED_LM_PATHS) {
    let node: Node | undefined = root;
    for (const key of keys) {
      const prop: Node | undefined = node && node.type === 'object' ? propertyNode(node, key) : undefined;
      node = prop?.children?.[1];
    }
    if (!node || node.type !== 'object') continue;
    collect(node);
    const mt = propertyNode(node, 'model_type')?.children;
    if (!nestedModelType && mt?.[1]?.type === 'string' && String(mt[1].value).length <= MAX_CONFIG_STRING) {
      nestedModelType = { value: mt[1].value as string, file, line: lineOf(mt[0].offset) };
    }
  }

  const problems: Problem[] = [];
  const topString = (key: string): Positioned<string> | null => {
    const kv = propertyNode(root, key)?.children;
    if (kv?.[1]?.type !== 'string') return null;
    const value = kv[1].value as string;
    const line = lineOf(kv[0].offset);
    if (value.length > MAX_CONFIG_STRING) {
      problems.push({
        file,
        line,
        message: `${name} "${key}" is ${value.length} characters long, over the ${MAX_CONFIG_STRING}-character bound; ignored`,
      });
      return null;
    }
    return { value, file, line };
  };
  const archKv = propertyNode(root, 'architectures')?.children;
  const archNode = archKv?.[1];
  const architectures =
    archKv && archNode?.type === 'array' && (archNode.children ?? []).every((c) => c.type === 'string')
      ? {
          value: (archNode.children ?? []).map((c) => c.value as string),
          file,
          line: lineOf(archKv[0].offset),
        }
      : null;

  return {
    config: {
      file,
      raw,
      fields,
      architectures,
      modelType: topString('model_type') ?? nestedModelType,
      nameOrPath: topString('_name_or_path'),
      line: lineOf(root.offset),
    },
    problems,
  };
}
