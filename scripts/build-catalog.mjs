#!/usr/bin/env node
// Builds src/catalog/data/base-models.json from the reference records in ../shared/reference
// (or the directory given as the first argument). Run by hand when the reference grows; the
// output is committed, and nothing reads ../shared at run time or in tests.
//
// Every value in the output comes from a reference record; this script only chooses which
// record stands for which checkpoint, maps key names, and attaches the family and license that
// ../shared/reference/licenses.md assigns (cited per entry).
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const refDir = path.resolve(process.argv[2] ?? new URL('../../shared/reference', import.meta.url).pathname);
const out = new URL('../src/catalog/data/base-models.json', import.meta.url).pathname;
const LICENSES_MD = 'shared/reference/licenses.md';

// Family and license per checkpoint id, as licenses.md's "who uses it" column and its
// "License history" section state them. First match wins.
const FAMILIES = [
  [/^deepseek-ai\/DeepSeek-V3(\.\d+)?$/, 'deepseek-v3', 'mit', 'MIT row: "DeepSeek-V3-0324, R1, V3.1+ weights"; License history: first (Dec 2024) V3 weights under the DeepSeek License', 'deepseek-license'],
  [/^deepseek-ai\/DeepSeek-R1/, 'deepseek-v3', 'mit', 'MIT row: "DeepSeek-V3-0324, R1, V3.1+ weights"'],
  [/^deepseek-ai\/DeepSeek-(Coder-)?V2/, 'deepseek-v2', 'deepseek-license', 'DeepSeek License Agreement 1.0 row: "DeepSeek LLM 7B/67B, Coder v1, V2, V2.5"'],
  [/^meta-llama\/Llama-2-/, 'llama-2', 'llama2', 'Llama 2 Community License row: "meta-llama/Llama-2-*"'],
  [/^meta-llama\/Meta-Llama-3-/, 'llama-3', 'llama3', 'Meta Llama 3 row: "meta-llama/Meta-Llama-3-*"'],
  [/^meta-llama\/(Meta-)?Llama-3\.1-/, 'llama-3.1', 'llama3.1', 'Llama 3.1 row: "meta-llama/Llama-3.1-*"'],
  [/^meta-llama\/Llama-3\.2-/, 'llama-3.2', 'llama3.2', 'Llama 3.2 row: "meta-llama/Llama-3.2-*"'],
  [/^Qwen\/Qwen1\.5-/, 'qwen1.5', 'tongyi-qianwen', 'Tongyi Qianwen License row: "Qwen1.5, Qwen2-72B"'],
  [/^Qwen\/Qwen2-72B/, 'qwen2', 'tongyi-qianwen', 'Tongyi Qianwen License row: "Qwen1.5, Qwen2-72B"'],
  [/^Qwen\/Qwen2-/, 'qwen2', 'apache-2.0', 'Apache-2.0 row: "Qwen2 (not 72B)"'],
  [/^Qwen\/Qwen2\.5-72B/, 'qwen2.5', 'qwen', 'Qwen LICENSE AGREEMENT row: "Qwen2.5-72B*"'],
  [/^Qwen\/Qwen2\.5-3B/, 'qwen2.5', 'qwen-research', 'Qwen RESEARCH LICENSE row: "Qwen2.5-3B*"'],
  [/^Qwen\/Qwen2\.5-/, 'qwen2.5', 'apache-2.0', 'Apache-2.0 row: "Qwen2.5 (not 3B, 72B)"'],
  [/^Qwen\/Qwen3-/, 'qwen3', 'apache-2.0', 'Apache-2.0 row: "Qwen3"; License history: "Qwen3: all Apache-2.0"'],
  [/^mistralai\/Mixtral-/, 'mixtral', 'apache-2.0', 'Apache-2.0 row: "Mistral-7B/Mixtral/Nemo"'],
  [/^mistralai\/Mistral-7B/, 'mistral', 'apache-2.0', 'Apache-2.0 row: "Mistral-7B/Mixtral/Nemo"'],
  [/^google\/gemma-3/, 'gemma-3', 'gemma', 'Gemma Terms of Use row: "google/gemma-*, gemma-2-*, gemma-3-*"'],
  [/^google\/gemma-2-/, 'gemma-2', 'gemma', 'Gemma Terms of Use row: "google/gemma-*, gemma-2-*, gemma-3-*"'],
  [/^google\/gemma-/, 'gemma', 'gemma', 'Gemma Terms of Use row: "google/gemma-*, gemma-2-*, gemma-3-*"'],
  [/^microsoft\/Phi-3/, 'phi-3', 'mit', 'MIT row: "Phi-2/3/4"'],
  [/^microsoft\/phi-4/, 'phi-4', 'mit', 'MIT row: "Phi-2/3/4"'],
  [/^tiiuae\/falcon-7b/, 'falcon', 'apache-2.0', 'License history: "Falcon-7B/40B were relicensed to Apache-2.0"'],
  [/^allenai\/OLMo-2/, 'olmo-2', 'apache-2.0', 'Apache-2.0 row: "OLMo"; card license tag apache-2.0'],
  [/^internlm\/internlm2/, 'internlm2', 'unknown', 'not covered by licenses.md: license unknown to the catalog'],
  [/^THUDM\/glm-4/, 'glm-4', 'unknown', 'not covered by licenses.md: license unknown to the catalog'],
  [/^openai\/gpt-oss/, 'gpt-oss', 'apache-2.0', 'Apache-2.0 row: "gpt-oss"; repo license tag apache-2.0'],
];

// The copyright line an MIT upstream's derivative must carry, quoted in licenses.md's MIT row.
const COPYRIGHT = [
  [/^deepseek-ai\//, 'Copyright (c) 2023 DeepSeek'],
  [/^microsoft\//, 'Copyright (c) Microsoft Corporation.'],
];

// DeepSeek's reference-inference configs use their own key names.
const INFERENCE_KEYS = {
  vocab_size: 'vocab_size', dim: 'hidden_size', inter_dim: 'intermediate_size', moe_inter_dim: 'moe_intermediate_size',
  n_layers: 'num_hidden_layers', n_dense_layers: 'first_k_dense_replace', n_heads: 'num_attention_heads',
  n_routed_experts: 'n_routed_experts', n_shared_experts: 'n_shared_experts', n_activated_experts: 'num_experts_per_tok',
  q_lora_rank: 'q_lora_rank', kv_lora_rank: 'kv_lora_rank', qk_nope_head_dim: 'qk_nope_head_dim',
  qk_rope_head_dim: 'qk_rope_head_dim', v_head_dim: 'v_head_dim',
};

const CLASS_KEYS = ['architectures', 'model_type'];

function pick(record) {
  // Which config stands for the checkpoint, and where it was read.
  if (record.config) return { config: record.config, source: record.source, form: 'hf' };
  if (record.official_inference_config?.config)
    return { config: record.official_inference_config.config, source: record.official_inference_config.source, form: 'inference' };
  if (record.config_excerpt_from_derivative?.content)
    return { config: record.config_excerpt_from_derivative.content, source: record.config_excerpt_from_derivative.source, form: 'hf' };
  return null;
}

const entries = [];
for (const name of (await readdir(path.join(refDir, 'base-models'))).sort()) {
  if (!name.endsWith('.json')) continue;
  const record = JSON.parse(await readFile(path.join(refDir, 'base-models', name), 'utf8'));
  const chosen = pick(record);
  if (!chosen) {
    console.warn(`skip ${record.id}: no config`);
    continue;
  }
  // A mirror or re-upload stands in for the checkpoint named in its `base`.
  const id = record.role === 'base' ? record.id : String(record.base).split(' ')[0];
  const fam = FAMILIES.find(([re]) => re.test(id));
  if (!fam) throw new Error(`no family rule for ${id}`);
  let config = chosen.config;
  if (chosen.form === 'inference') {
    config = Object.fromEntries(
      Object.entries(config).filter(([k]) => k in INFERENCE_KEYS).map(([k, v]) => [INFERENCE_KEYS[k], v]),
    );
  }
  // A PARTIAL HF config is completed from the official inference config of the same record.
  const supplement = {};
  if (chosen.form === 'hf' && record.official_inference_config?.config) {
    for (const [k, v] of Object.entries(record.official_inference_config.config)) {
      const key = INFERENCE_KEYS[k];
      if (key && !(key in config) && !(config.text_config && key in config.text_config)) supplement[key] = v;
    }
  }
  const copyright = COPYRIGHT.find(([re]) => re.test(id))?.[1];
  entries.push({
    id,
    family: fam[1],
    license: fam[2],
    ...(fam[4] ? { alternateLicense: fam[4] } : {}),
    ...(copyright ? { copyright } : {}),
    config: { ...config, ...supplement },
    classes: Object.fromEntries(CLASS_KEYS.filter((k) => config[k] !== undefined).map((k) => [k, config[k]])),
    sources: {
      config: chosen.source,
      ...(Object.keys(supplement).length ? { supplement: record.official_inference_config.source } : {}),
      license: `${LICENSES_MD}: ${fam[3]}`,
      record: `shared/reference/base-models/${name}`,
    },
    ...(record.id !== id ? { standIn: record.id } : {}),
    notes: record.notes ?? '',
  });
}
entries.sort((a, b) => a.id.localeCompare(b.id));
await writeFile(out, JSON.stringify(entries, null, 1) + '\n');
console.log(`wrote ${entries.length} checkpoints to ${path.relative(process.cwd(), out)}`);

// Every phrase in licenses.json must appear verbatim in licenses.md, so none is typed from memory.
const licensesMd = await readFile(path.join(refDir, 'licenses.md'), 'utf8');
const licenses = JSON.parse(await readFile(new URL('../src/catalog/data/licenses.json', import.meta.url), 'utf8'));
let missing = 0;
for (const [key, lic] of Object.entries(licenses)) {
  for (const phrase of [...lic.textPhrases, ...lic.noticePhrases, ...lic.displayPhrases, ...(lic.namePrefix ? [lic.namePrefix] : [])]) {
    if (!licensesMd.includes(phrase)) {
      console.error(`licenses.json ${key}: phrase not found verbatim in licenses.md: ${phrase}`);
      missing++;
    }
  }
}
for (const e of entries) if (e.copyright && !licensesMd.includes(e.copyright)) {
  console.error(`${e.id}: copyright line not in licenses.md: ${e.copyright}`);
  missing++;
}
if (missing) process.exit(1);
console.log('every license phrase is quoted verbatim from licenses.md');

// Full license texts for `fix` messages, from the SPDX license list package (not typed here).
const { createRequire } = await import('node:module');
const require = createRequire(import.meta.url);
const spdxPkg = require('spdx-license-list/package.json');
const mit = require('spdx-license-list/licenses/MIT.json').licenseText;
const apache = require('spdx-license-list/licenses/Apache-2.0.json').licenseText;
const mitBody = mit.slice(mit.indexOf('Permission is hereby granted')).split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim()).join('\n\n');
const apacheNotice = apache.slice(apache.indexOf('Licensed under the Apache License'));
const texts = {
  source: `npm:spdx-license-list@${spdxPkg.version} licenses/MIT.json, licenses/Apache-2.0.json`,
  mit: { permissionNotice: mitBody.trim() },
  'apache-2.0': { standardNotice: apacheNotice.trim() },
};
for (const p of licenses.mit.textPhrases) {
  if (!texts.mit.permissionNotice.replace(/\s+/g, ' ').includes(p)) throw new Error(`MIT text lacks: ${p}`);
}
await writeFile(new URL('../src/catalog/data/license-texts.json', import.meta.url), JSON.stringify(texts, null, 1) + '\n');
console.log('wrote license-texts.json');
