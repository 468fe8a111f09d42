// Reads one model directory's small files through the RepoSource, with a size bound per kind,
// and turns them into ModelEvidence. Bad files become problems; the rest is still read.
import type { RepoEntry, RepoSource } from '../sources/source.js';
import type { Problem } from '../types.js';
import { parseCard } from './card.js';
import { parseConfig } from './config.js';
import { decodeText, isLicenseLikeName } from './texts.js';
import type { ModelEvidence, TextEvidence } from './types.js';

export const LIMITS = {
  /** config.json of the largest real models is a few KiB; anything this big is not a config. */
  configBytes: 4 * 1024 * 1024,
  /** Model cards and license texts: read this much, judge what was read. */
  textBytes: 4 * 1024 * 1024,
  /** License-like files read per model. */
  textsPerModel: 64,
};

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
const join = (dir: string, name: string) => (dir === '.' ? name : `${dir}/${name}`);

export async function collectEvidence(
  source: RepoSource,
  dir: string,
  files: { own: RepoEntry[]; inherited: RepoEntry[] },
): Promise<ModelEvidence> {
  const problems: Problem[] = [];
  const own = new Map(files.own.map((e) => [e.path, e]));

  // Files a person expects the gate to read but that it must not: say so, never follow.
  for (const e of [...files.own, ...files.inherited]) {
    const name = base(e.path);
    if (e.kind === 'file') continue;
    if (name !== 'config.json' && !/^readme\.md$/i.test(name) && !isLicenseLikeName(e.path)) continue;
    const why =
      e.kind === 'link-outside'
        ? 'is a symbolic link that points outside the repository; it was not read'
        : e.kind === 'special'
          ? 'is not a regular file (FIFO, device or socket); it was not read'
          : 'is a broken or looping symbolic link; it was not read';
    problems.push({ file: e.path, message: `${e.path} ${why}` });
  }

  let config: ModelEvidence['config'] = null;
  const configEntry = own.get(join(dir, 'config.json'));
  if (configEntry?.kind === 'file') {
    const r = await source.read(configEntry.path, LIMITS.configBytes);
    if (!r.ok)
      problems.push({
        file: configEntry.path,
        message: `${configEntry.path} could not be read: ${r.reason}`,
      });
    else if (r.truncated)
      problems.push({
        file: configEntry.path,
        message: `${configEntry.path} is ${r.size} bytes, over the ${LIMITS.configBytes}-byte bound for a config; not read`,
      });
    else {
      const decoded = decodeText(configEntry.path, r.data, false);
      problems.push(...decoded.problems);
      if (decoded.text) {
        const parsed = parseConfig(configEntry.path, decoded.text.text);
        config = parsed.config;
        problems.push(...parsed.problems);
      }
    }
  }

  const texts: TextEvidence[] = [];
  const textEntries = [
    ...files.own.filter((e) => !e.path.slice(dir === '.' ? 0 : dir.length + 1).includes('/')),
    ...files.inherited,
  ]
    .filter((e) => e.kind === 'file' && isLicenseLikeName(e.path))
    .slice(0, LIMITS.textsPerModel);
  let card: ModelEvidence['card'] = null;
  for (const e of textEntries) {
    const r = await source.read(e.path, LIMITS.textBytes);
    if (!r.ok) {
      problems.push({ file: e.path, message: `${e.path} could not be read: ${r.reason}` });
      continue;
    }
    const decoded = decodeText(e.path, r.data, r.truncated);
    problems.push(...decoded.problems);
    if (!decoded.text) continue;
    texts.push(decoded.text);
    if (e.path === join(dir, base(e.path)) && /^readme\.md$/i.test(base(e.path)) && !card) {
      const parsed = parseCard(e.path, decoded.text.text);
      card = parsed.card;
      problems.push(...parsed.problems);
    }
  }
  return { dir, config, card, texts, problems };
}
