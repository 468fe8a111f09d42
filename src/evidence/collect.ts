// Reads one model directory's small files through the RepoSource, with a size bound per kind,
// and turns them into ModelEvidence. Bad files become problems; the rest is still read.
import type { RepoEntry, RepoSource } from '../sources/source.js';
import type { Problem } from '../types.js';
import { ADAPTER_CONFIG_MAX_CHARS, parseAdapterConfig } from './adapter.js';
import { parseCard } from './card.js';
import { collectTokenizer } from './collect-tokenizer.js';
import { collectWeights } from './collect-weights.js';
import { parseConfig } from './config.js';
import { readBounded } from './read-bounded.js';
import { extractMergekitFromCard, MERGEKIT_MAX_CHARS, parseMergekitConfig } from './mergekit.js';
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
/** Files whose absence of content matters: a link or FIFO in their place is reported. */
const ALWAYS_READ = new Set([
  'config.json',
  'adapter_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'model.safetensors.index.json',
  'mergekit_config.yml',
]);
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
    if (!ALWAYS_READ.has(name) && !/^readme\.md$/i.test(name) && !isLicenseLikeName(e.path)) continue;
    const why =
      e.kind === 'link-outside'
        ? 'is a symbolic link that points outside the repository; it was not read'
        : e.kind === 'special'
          ? 'is not a regular file (FIFO, device or socket); it was not read'
          : 'is a broken or looping symbolic link; it was not read';
    problems.push({ file: e.path, message: `${e.path} ${why}` });
  }

  let config: ModelEvidence['config'] = null;
  // A pointer in place of config.json is read as content: it is no config, and says so.
  const configFile = await readBounded(
    source,
    own.get(join(dir, 'config.json')),
    LIMITS.configBytes,
    problems,
    {
      lfs: false,
      what: 'a config',
    },
  );
  if (configFile) {
    const decoded = decodeText(configFile.path, configFile.data, false);
    problems.push(...decoded.problems);
    if (decoded.text) {
      const parsed = parseConfig(configFile.path, decoded.text.text);
      config = parsed.config;
      problems.push(...parsed.problems);
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
    if (r.truncated) {
      // Still judged on what was read; a notice says why a phrase past the bound is not found.
      problems.push({
        file: e.path,
        severity: 'notice',
        message: `${e.path} is ${r.size} bytes; only the first ${LIMITS.textBytes} bytes (the bound for text files) were searched`,
      });
    }
    texts.push(decoded.text);
    if (e.path === join(dir, base(e.path)) && /^readme\.md$/i.test(base(e.path)) && !card) {
      const parsed = parseCard(e.path, decoded.text.text);
      card = parsed.card;
      problems.push(...parsed.problems);
    }
  }
  // Small JSON/YAML files beside the config: adapter and merge configs.
  const readSmall = async (name: string, max: number): Promise<{ path: string; text: string } | null> => {
    const r = await readBounded(source, own.get(join(dir, name)), max, problems);
    return r && { path: r.path, text: r.data.toString('utf8') };
  };
  let adapter: ModelEvidence['adapter'] = null;
  const ac = await readSmall('adapter_config.json', ADAPTER_CONFIG_MAX_CHARS);
  if (ac) {
    const parsed = parseAdapterConfig(ac.path, ac.text);
    adapter = parsed.adapter;
    problems.push(...parsed.problems);
  }
  let merge: ModelEvidence['merge'] = null;
  const mk =
    (await readSmall('mergekit_config.yml', MERGEKIT_MAX_CHARS)) ??
    (await readSmall('mergekit_config.yaml', MERGEKIT_MAX_CHARS));
  if (mk) {
    const parsed = parseMergekitConfig(mk.path, mk.text);
    merge = parsed.config;
    problems.push(...parsed.problems);
  } else if (card) {
    const parsed = extractMergekitFromCard(card.file, card.body, card.bodyLine);
    merge = parsed.config;
    problems.push(...parsed.problems);
  }

  const topLevel = files.own.filter((e) => !e.path.slice(dir === '.' ? 0 : dir.length + 1).includes('/'));
  // Both mostly wait on reads: overlap them.
  const [tok, weights] = await Promise.all([
    collectTokenizer(source, own, (name) => join(dir, name)),
    collectWeights(source, topLevel),
  ]);
  problems.push(...tok.problems, ...weights.problems);
  const lfs = [...weights.lfs, ...tok.lfs.filter((p) => !weights.lfs.some((w) => w.file === p.file))];
  return {
    dir,
    config,
    card,
    texts,
    problems,
    tokenizer: tok.tokenizer,
    weights: weights.weights,
    gguf: weights.gguf,
    lfs,
    adapter,
    merge,
  };
}
