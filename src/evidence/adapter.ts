// PEFT adapter_config.json: the base model an adapter (LoRA, IA3, …) was trained on. A Hub id is a
// strong lineage signal; a local path (the trainer's disk) is a weaker one, though its last segments
// or a Hub cache directory name often still give the base away.
import { getNodeValue, type Node } from 'jsonc-parser';
import { parseJsonBounded } from './nesting.js';
import type { Problem } from '../types.js';
import { lineStarts, positionAt } from './json-positions.js';
import type { Positioned } from './types.js';

export const ADAPTER_CONFIG_MAX_CHARS = 1024 * 1024;
const MAX_DEPTH = 64;

export type BaseReferenceKind = 'hub-id' | 'local-path' | 'unrecognized';

export interface AdapterConfig {
  file: string;
  /** `base_model_name_or_path` as written, with its line. */
  baseModel: Positioned<string> | null;
  baseModelKind: BaseReferenceKind | null;
  /** True when the base is a path on the trainer's disk: a weaker signal than a Hub id. */
  isLocalPath: boolean;
  /** For a local path: the `org/name` its Hub-cache directory or last two segments suggest. */
  hubIdGuess: string | null;
  /** `revision` of the base, when given. */
  revision: string | null;
  peftType: Positioned<string> | null;
  r: number | null;
  /** A list of module names, or a regular expression string (PEFT accepts both). */
  targetModules: string[] | string | null;
  /** Line of the opening brace. */
  line: number;
}

// huggingface_hub's validate_repo_id: optional namespace, name of word chars, `-` and `.`, ≤ 96.
const REPO_ID = /^(?:[\w.-]+\/)?[\w.-]{1,96}$/;
const NAME = /^[\w.-]{1,96}$/;
const HUB_CACHE = /(?:^|[/\\])models--([\w.-]+?)--([\w.-]+?)(?:[/\\]|$)/;

function isValidRepoId(s: string): boolean {
  if (!REPO_ID.test(s) || s.includes('--') || s.includes('..') || s.endsWith('.git')) return false;
  return s.split('/').every((part) => /^[A-Za-z0-9]/.test(part) && /[A-Za-z0-9]$/.test(part));
}

/** Classifies a `base_model_name_or_path` value as a Hub repo id, a local path, or neither. */
export function classifyBaseReference(ref: string): { kind: BaseReferenceKind; hubIdGuess: string | null } {
  const s = ref.trim();
  const local =
    s.startsWith('/') ||
    s.startsWith('./') ||
    s.startsWith('../') ||
    s === '.' ||
    s === '..' ||
    s.startsWith('~') ||
    s.includes('\\') ||
    /^[A-Za-z]:/.test(s) ||
    s.split('/').length > 2;
  if (!local) return { kind: isValidRepoId(s) ? 'hub-id' : 'unrecognized', hubIdGuess: null };
  const cache = HUB_CACHE.exec(s);
  if (cache && isValidRepoId(`${cache[1]}/${cache[2]}`)) {
    return { kind: 'local-path', hubIdGuess: `${cache[1]}/${cache[2]}` };
  }
  const parts = s.split(/[/\\]+/).filter((p) => p !== '' && p !== '.' && p !== '..' && p !== '~');
  const [org, name] = parts.slice(-2);
  const guess = parts.length >= 2 && NAME.test(org) && NAME.test(name) ? `${org}/${name}` : null;
  return { kind: 'local-path', hubIdGuess: guess && isValidRepoId(guess) ? guess : null };
}

function property(obj: Node, key: string): Node | undefined {
  let found: Node | undefined;
  for (const prop of obj.children ?? []) if (prop.children?.[0]?.value === key) found = prop.children?.[1];
  return found;
}

/** Parses a PEFT `adapter_config.json`. Never throws; malformed input gives a Problem with a line. */
export function parseAdapterConfig(
  file: string,
  text: string,
): { adapter: AdapterConfig | null; problems: Problem[] } {
  const starts = lineStarts(text);
  const lineOf = (offset: number): number => positionAt(starts, offset).line;
  const fail = (message: string, line?: number): { adapter: null; problems: Problem[] } => ({
    adapter: null,
    problems: [line === undefined ? { file, message } : { file, line, message }],
  });
  if (text.length > ADAPTER_CONFIG_MAX_CHARS) {
    return fail(`adapter config exceeds the ${ADAPTER_CONFIG_MAX_CHARS}-character bound; not read`);
  }
  const parsed = parseJsonBounded(text, MAX_DEPTH, starts);
  if (!parsed.ok) return fail(`adapter config ${parsed.reason}`, parsed.line);
  const root = parsed.root;
  if (!root) return fail('adapter config is empty', 1);
  if (root.type !== 'object') {
    return fail(
      `adapter config must hold a JSON object at the top level, not ${root.type}`,
      lineOf(root.offset),
    );
  }

  const problems: Problem[] = [];
  const stringField = (key: string): Positioned<string> | null => {
    const node = property(root, key);
    if (!node || node.type === 'null') return null;
    if (node.type !== 'string') {
      problems.push({
        file,
        line: lineOf(node.offset),
        message: `"${key}" must be a string, not ${node.type}`,
      });
      return null;
    }
    return { value: node.value as string, file, line: lineOf(node.offset) };
  };

  const baseModel = stringField('base_model_name_or_path');
  const peftType = stringField('peft_type');
  const revision = stringField('revision');

  let r: number | null = null;
  const rNode = property(root, 'r');
  if (rNode && rNode.type === 'number' && Number.isFinite(rNode.value)) r = rNode.value as number;
  else if (rNode && rNode.type !== 'null') {
    problems.push({ file, line: lineOf(rNode.offset), message: `"r" must be a number, not ${rNode.type}` });
  }

  let targetModules: string[] | string | null = null;
  const tm = property(root, 'target_modules');
  if (tm?.type === 'string') targetModules = tm.value as string;
  else if (tm?.type === 'array') {
    const value = getNodeValue(tm) as unknown[];
    targetModules = value.filter((v): v is string => typeof v === 'string');
  }

  let baseModelKind: BaseReferenceKind | null = null;
  let hubIdGuess: string | null = null;
  if (baseModel) {
    if (baseModel.value.trim() === '') {
      problems.push({ file, line: baseModel.line, message: '"base_model_name_or_path" is empty' });
    } else {
      ({ kind: baseModelKind, hubIdGuess } = classifyBaseReference(baseModel.value));
    }
  }
  return {
    adapter: {
      file,
      baseModel,
      baseModelKind,
      isLocalPath: baseModelKind === 'local-path',
      hubIdGuess,
      revision: revision?.value ?? null,
      peftType,
      r,
      targetModules,
      line: lineOf(root.offset),
    },
    problems,
  };
}
