#!/usr/bin/env node
// Lineage evaluation on a labelled corpus (the format of shared/reference/dev-corpus):
//   npm run eval -- CORPUS_DIR
// Builds one model directory per record (its config.json only: no card, so nothing is declared),
// plus a variant with the architecture class and model_type renamed, runs the bundled CLI once
// over all of them, and prints recall on derivatives and the false strong-lineage rate on
// independent models.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

const corpus = process.argv[2];
if (!corpus) {
  console.error('usage: npm run eval -- CORPUS_DIR');
  process.exit(2);
}
const repoRoot = new URL('..', import.meta.url).pathname;
const work = await mkdtemp(path.join(tmpdir(), 'lineage-eval-'));
// The eval judges with the runtime's own catalog helpers, bundled on the fly.
await build({
  stdin: {
    contents: "export { defaultCatalog, familyOfId } from './src/catalog/index.ts'; export { mentionsFamily } from './src/lineage/declared.ts';",
    resolveDir: repoRoot,
    loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'esm', outfile: path.join(work, 'support.mjs'), logLevel: 'error',
});
const { defaultCatalog, familyOfId, mentionsFamily } = await import(path.join(work, 'support.mjs'));
const catalog = defaultCatalog();

const records = [];
for (const f of (await readdir(corpus)).sort()) {
  if (!f.endsWith('.json')) continue;
  records.push(JSON.parse(await readFile(path.join(corpus, f), 'utf8')));
}

function renamed(config) {
  const c = structuredClone(config);
  c.architectures = ['RenamedForCausalLM'];
  c.model_type = 'renamed';
  if (c.text_config && typeof c.text_config === 'object') c.text_config.model_type = 'renamed_text';
  return c;
}

const repo = path.join(work, 'repo');
const cases = [];
for (const [i, r] of records.entries()) {
  const config = r.config ?? r.config_excerpt ?? null;
  if (!config) {
    cases.push({ r, skipped: 'no config in the record' });
    continue;
  }
  for (const variant of ['original', 'renamed']) {
    const dir = `m${String(i).padStart(3, '0')}-${variant}`;
    await mkdir(path.join(repo, dir), { recursive: true });
    await writeFile(path.join(repo, dir, 'config.json'), JSON.stringify(variant === 'renamed' ? renamed(config) : config, null, 2));
    cases.push({ r, variant, dir });
  }
}

let out;
try {
  out = execFileSync('node', [path.join(repoRoot, 'dist/cli.js'), 'check', repo, '--format', 'json', '--fail-on', 'never'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
} finally {
  await rm(work, { recursive: true, force: true });
}
const report = JSON.parse(out);
const byPath = new Map(report.models.map((m) => [m.path, m]));

// The label's family when the catalog can know it: the label is a catalog checkpoint, or it names
// (or descends from) a family of which the catalog holds a checkpoint of the same size ("8B").
// Otherwise the base is out of the catalog's reach (counted apart, not as a miss).
const sizeOf = (s) => /(?<![\d.])(\d+(?:\.\d+)?)b(?![a-z])/i.exec(s)?.[1];
function labelFamilies(label) {
  const id = String(label ?? '').split(/\s/)[0];
  if (catalog.byId.has(id.toLowerCase())) return new Set([catalog.byId.get(id.toLowerCase()).family]);
  const named = familyOfId(catalog, id);
  const fams = new Set(named ? [named] : catalog.checkpoints.filter((cp) => mentionsFamily(String(label), cp.family)).map((cp) => cp.family));
  const size = sizeOf(id);
  return new Set(
    [...fams].filter((f) => !size || catalog.checkpoints.some((cp) => cp.family === f && sizeOf(cp.id) === size)),
  );
}

const tally = {};
const rows = [];
for (const c of cases) {
  if (c.skipped) {
    rows.push(`  skip  ${c.r.id}: ${c.skipped}`);
    continue;
  }
  const m = byPath.get(c.dir);
  const strong = (m?.lineage ?? []).filter((l) => l.strength === 'strong');
  const detected = new Set(
    strong.flatMap((l) => [l.base, ...(l.alternatives ?? [])]).map((id) => catalog.byId.get(id.toLowerCase())?.family),
  );
  const key = `${c.r.role}/${c.variant}`;
  tally[key] ??= { n: 0, hit: 0, inScope: 0, hitInScope: 0 };
  const t = tally[key];
  t.n++;
  let verdict;
  if (c.r.role === 'derivative') {
    const fams = labelFamilies(c.r.base);
    const inScope = fams.size > 0;
    const hit = [...fams].some((f) => detected.has(f));
    t.inScope += inScope ? 1 : 0;
    t.hit += hit ? 1 : 0;
    t.hitInScope += hit && inScope ? 1 : 0;
    // A strong lineage to another family than the label's is a false attribution.
    const wrong = !hit && strong.length > 0 && ![...fams].some((f) => detected.has(f));
    t.wrong = (t.wrong ?? 0) + (wrong ? 1 : 0);
    verdict = hit ? 'found' : wrong ? 'WRONG BASE' : inScope ? 'MISSED' : 'base not in catalog';
  } else {
    const falseStrong = strong.length > 0;
    t.hit += falseStrong ? 1 : 0;
    verdict = falseStrong ? `FALSE STRONG (${strong.map((l) => l.base).join(', ')})` : 'no strong lineage';
  }
  const shown = strong.map((l) => l.base).join(', ') || (m?.lineage?.[0] ? `weak: ${m.lineage[0].base}` : 'none');
  rows.push(`  ${c.variant.padEnd(8)} ${c.r.role.padEnd(11)} ${c.r.id.padEnd(58)} ${verdict.padEnd(20)} ${shown}`);
}
console.log(rows.join('\n'));
const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');
console.log('');
for (const variant of ['original', 'renamed']) {
  const d = tally[`derivative/${variant}`] ?? { n: 0, hit: 0, inScope: 0, hitInScope: 0 };
  const ind = tally[`independent/${variant}`] ?? { n: 0, hit: 0 };
  console.log(
    `${variant.padEnd(8)} derivatives: base found ${d.hitInScope}/${d.inScope} with a base family in the catalog (${pct(d.hitInScope, d.inScope)}), ` +
      `${d.hit}/${d.n} of all (${pct(d.hit, d.n)}), wrong strong base ${d.wrong ?? 0}; independents: false strong lineage ${ind.hit}/${ind.n} (${pct(ind.hit, ind.n)})`,
  );
}
