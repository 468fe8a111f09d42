// mergekit configs (`mergekit_config.yml`, or the fenced YAML block many merged-model cards carry):
// every source model of a merge is an upstream, each with the line that names it.
import { yamlTooDeepAt } from './nesting.js';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { Problem } from '../types.js';
import type { Positioned } from './types.js';

export const MERGEKIT_MAX_CHARS = 1024 * 1024;
const MAX_ALIAS_COUNT = 100;
const MAX_NESTING = 64;
const MAX_DOCUMENTS = 16;
const MAX_SOURCES = 1000;
const MAX_CARD_BLOCKS = 16;

export type MergeSourceRole = 'base' | 'model' | 'slice' | 'expert' | 'lora';

export interface MergeSource {
  /** The model reference as written (a Hub id or a path), without any `+lora` suffix. */
  model: string;
  role: MergeSourceRole;
  file: string;
  line: number;
}

export interface MergekitConfig {
  file: string;
  mergeMethod: Positioned<string> | null;
  baseModel: Positioned<string> | null;
  /** Distinct source models (base, `models[]`, `slices[].sources[]`, MoE `experts[]`, LoRAs), first mention. */
  sources: MergeSource[];
  /** Line of the first YAML line in the file. */
  line: number;
}

export interface MergekitResult {
  config: MergekitConfig | null;
  problems: Problem[];
}

/**
 * Parses a mergekit config. `firstLine` is the file line of the text's first line (1 for a whole
 * file; later for a block inside a card). Never throws.
 */
export function parseMergekitConfig(file: string, text: string, firstLine = 1): MergekitResult {
  const problems: Problem[] = [];
  const at = (yamlLine: number): number => firstLine + yamlLine - 1;
  if (text.length > MERGEKIT_MAX_CHARS) {
    return {
      config: null,
      problems: [{ file, message: `mergekit config exceeds ${MERGEKIT_MAX_CHARS} characters; not read` }],
    };
  }
  const deep = yamlTooDeepAt(text, MAX_NESTING);
  if (deep >= 0) {
    return {
      config: null,
      problems: [
        {
          file,
          line: at(deep + 1),
          message: `mergekit config nests deeper than ${MAX_NESTING} levels; not read`,
        },
      ],
    };
  }
  const lc = new LineCounter();
  const lineOf = (node: YamlNode | null | undefined): number =>
    node?.range ? at(lc.linePos(node.range[0]).line) : firstLine;

  let docs: Document.Parsed[];
  try {
    // logLevel 'error': the library would print warnings about hostile keys to stderr.
    const parsed = parseAllDocuments(text, {
      lineCounter: lc,
      prettyErrors: true,
      uniqueKeys: false,
      logLevel: 'error',
    });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (e) {
    return { config: null, problems: [{ file, message: `mergekit config is not valid YAML: ${String(e)}` }] };
  }
  const config: MergekitConfig = { file, mergeMethod: null, baseModel: null, sources: [], line: firstLine };
  const seen = new Set<string>();
  let overflow = false;
  const add = (model: string, role: MergeSourceRole, line: number): void => {
    const m = model.trim();
    if (m === '' || seen.has(m)) return;
    if (config.sources.length >= MAX_SOURCES) {
      overflow = true;
      return;
    }
    seen.add(m);
    config.sources.push({ model: m, role, file, line });
  };

  for (const doc of docs.slice(0, MAX_DOCUMENTS)) {
    if (doc.errors.length > 0) {
      const err = doc.errors[0];
      const line = err.linePos?.[0]?.line;
      problems.push({
        file,
        ...(line !== undefined ? { line: at(line) } : {}),
        message: `mergekit config is not valid YAML: ${err.message.split('\n')[0]}`,
      });
      continue;
    }
    try {
      doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      problems.push({ file, message: `mergekit config cannot be read: ${(e as Error).message}` });
      continue;
    }
    const resolve = (node: unknown): unknown => (isAlias(node) ? node.resolve(doc) : node);
    const root = resolve(doc.contents);
    if (root === null || root === undefined) continue;
    if (!isMap(root)) {
      problems.push({
        file,
        line: lineOf(root as YamlNode),
        message: 'mergekit config must be a mapping at the top level',
      });
      continue;
    }
    const get = (map: unknown, key: string): unknown =>
      isMap(map) ? resolve(map.get(key, true)) : undefined;
    const scalarString = (node: unknown): Positioned<string> | null =>
      isScalar(node) && typeof node.value === 'string'
        ? { value: node.value, file, line: lineOf(node) }
        : null;

    // A model reference: "org/name", "org/name+lora/name", or {model: {path}, lora: {path}} / {path}.
    const reference = (node: unknown, role: MergeSourceRole, depth = 0): void => {
      if (depth > 3) return;
      const s = scalarString(node);
      if (s) {
        const [model, ...loras] = s.value.split('+');
        add(model, role, s.line);
        for (const lora of loras) add(lora, 'lora', s.line);
        return;
      }
      if (isMap(node)) {
        const path = get(node, 'path');
        if (path !== undefined) reference(path, role, depth + 1);
        const model = get(node, 'model');
        if (model !== undefined) reference(model, role, depth + 1);
        const lora = get(node, 'lora');
        if (lora !== undefined) reference(lora, 'lora', depth + 1);
      }
    };
    const each = (node: unknown, fn: (item: unknown) => void): void => {
      if (!isSeq(node)) return;
      for (const item of node.items.slice(0, MAX_SOURCES)) fn(resolve(item));
    };

    const method = scalarString(get(root, 'merge_method'));
    if (method && !config.mergeMethod) config.mergeMethod = method;
    const baseNode = get(root, 'base_model');
    const base = scalarString(baseNode);
    if (base && !config.baseModel) config.baseModel = { ...base, value: base.value.split('+')[0].trim() };
    if (baseNode !== undefined) reference(baseNode, 'base');
    each(get(root, 'models'), (item) => reference(get(item, 'model'), 'model'));
    each(get(root, 'slices'), (slice) =>
      each(get(slice, 'sources'), (src) => reference(get(src, 'model'), 'slice')),
    );
    each(get(root, 'experts'), (item) => reference(get(item, 'source_model'), 'expert'));
  }
  if (overflow)
    problems.push({
      file,
      message: `mergekit config names more than ${MAX_SOURCES} models; the rest were ignored`,
    });
  if (config.sources.length === 0 && !config.mergeMethod) {
    if (problems.length === 0)
      problems.push({
        file,
        line: firstLine,
        message: 'mergekit config names no merge method and no source model',
      });
    return { config: null, problems };
  }
  return { config, problems };
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)/;
const MERGE_KEYS = /^[ \t-]*(merge_method|source_model)[ \t]*:/m;

/**
 * Finds fenced YAML blocks in a model card's Markdown body that hold a mergekit config (a
 * `merge_method` or MoE `source_model` key) and parses them with their lines in the whole file.
 * `bodyLine` is the file line where `body` starts. Returns a null config when no such block exists.
 */
export function extractMergekitFromCard(
  file: string,
  markdownBody: string,
  bodyLine: number,
): MergekitResult {
  const lines = markdownBody.split(/\r\n|\r|\n/);
  const problems: Problem[] = [];
  let merged: MergekitConfig | null = null;
  let blocks = 0;
  for (let i = 0; i < lines.length && blocks < MAX_CARD_BLOCKS; i++) {
    const open = FENCE_OPEN.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const info = open[2].toLowerCase();
    let end = i + 1;
    while (end < lines.length) {
      const t = lines[end].trim();
      if (
        t.length >= fence.length &&
        t[0] === fence[0] &&
        /^(`+|~+)$/.test(t) &&
        /^ {0,3}\S/.test(lines[end])
      )
        break;
      end++;
    }
    const content = lines.slice(i + 1, end).join('\n');
    if ((info === '' || info === 'yaml' || info === 'yml') && MERGE_KEYS.test(content)) {
      blocks++;
      const res = parseMergekitConfig(file, content, bodyLine + i + 1);
      problems.push(...res.problems);
      if (res.config) {
        if (!merged) merged = res.config;
        else {
          merged.mergeMethod ??= res.config.mergeMethod;
          merged.baseModel ??= res.config.baseModel;
          const known = new Set(merged.sources.map((s) => s.model));
          for (const s of res.config.sources) if (!known.has(s.model)) merged.sources.push(s);
        }
      }
    }
    i = end;
  }
  return { config: merged, problems };
}
