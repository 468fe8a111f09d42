// Which directories of a repo are models, and which files belong to each. A repo may hold several
// models (a monorepo, or GGUF exports next to the original weights); each is judged on its own.
import type { RepoEntry } from '../sources/source.js';
import { isLicenseLikeName } from './texts.js';

const MARKER_NAMES = new Set([
  'config.json',
  'adapter_config.json',
  'model_index.json',
  'model.safetensors.index.json',
]);
const MARKER_EXT = /\.(?:gguf|safetensors)$/i;

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : p.slice(0, i);
}

function baseOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** True when `p` (file or dir) lies at or below `dir`. */
function isWithin(p: string, dir: string): boolean {
  return dir === '.' || p === dir || p.startsWith(`${dir}/`);
}

const byPath = (a: string, b: string): number =>
  a === b ? 0 : a === '.' ? -1 : b === '.' ? 1 : a < b ? -1 : 1;

/**
 * Directories holding config.json, adapter_config.json, model_index.json, *.safetensors(.index.json)
 * or *.gguf. When there are none, the root counts as a model if it has a README.md or a license file
 * (a card-only or license-only repo still gets judged). Sorted, '.' for the root.
 */
export function findModelDirs(entries: RepoEntry[]): string[] {
  const dirs = new Set<string>();
  for (const e of entries) {
    const base = baseOf(e.path);
    if (MARKER_NAMES.has(base) || MARKER_EXT.test(base)) dirs.add(dirOf(e.path));
  }
  if (dirs.size === 0) {
    const rootCard = entries.some(
      (e) =>
        !e.path.includes('/') && (/^readme\.md$/i.test(e.path) || /^(?:licen[cs]e|copying)/i.test(e.path)),
    );
    if (rootCard) dirs.add('.');
  }
  return [...dirs].sort(byPath);
}

/**
 * Files of the model in `dir`: `own` are the entries at or below it that are not inside a deeper
 * model directory; `inherited` are license-like files (LICENSE, NOTICE, README, ...) of the root and
 * of every other directory above `dir`, because notices at the top travel with nested models.
 */
export function filesForModel(
  dir: string,
  allDirs: string[],
  entries: RepoEntry[],
): { own: RepoEntry[]; inherited: RepoEntry[] } {
  const deeper = allDirs.filter((d) => d !== dir && d !== '.' && isWithin(d, dir));
  const own: RepoEntry[] = [];
  const inherited: RepoEntry[] = [];
  for (const e of entries) {
    if (isWithin(e.path, dir)) {
      if (!deeper.some((d) => isWithin(e.path, d))) own.push(e);
    } else if (dir !== '.' && isWithin(dir, dirOf(e.path)) && isLicenseLikeName(e.path)) {
      inherited.push(e);
    }
  }
  const cmp = (a: RepoEntry, b: RepoEntry): number => byPath(a.path, b.path);
  return { own: own.sort(cmp), inherited: inherited.sort(cmp) };
}
