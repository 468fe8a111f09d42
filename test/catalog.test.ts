// The catalog against itself: every checkpoint matches its own reference config, every entry cites
// its sources, and the groups of checkpoints the fingerprint cannot tell apart are known.
import { defaultCatalog } from '../src/catalog/index.js';
import { matchShape } from '../src/lineage/fingerprint.js';

const catalog = defaultCatalog();

describe('catalog', () => {
  it('covers the families the reference holds', () => {
    const families = new Set(catalog.checkpoints.map((c) => c.family));
    for (const f of [
      'deepseek-v3',
      'deepseek-v2',
      'llama-2',
      'llama-3',
      'llama-3.1',
      'llama-3.2',
      'qwen1.5',
      'qwen2',
      'qwen2.5',
      'qwen3',
      'mistral',
      'mixtral',
      'gemma',
      'gemma-2',
      'gemma-3',
      'phi-3',
      'phi-4',
      'falcon',
      'olmo-2',
      'internlm2',
      'glm-4',
      'gpt-oss',
    ]) {
      expect(families).toContain(f);
    }
  });

  it('cites a config source, a license source and the reference record for every checkpoint', () => {
    for (const c of catalog.checkpoints) {
      expect(c.sources.config).toMatch(/^(https:\/\/|github:)/);
      expect(c.sources.license).toMatch(/licenses\.md/);
      expect(c.sources.record).toMatch(/^shared\/reference\/base-models\/.+\.json$/);
      expect(catalog.licenses[c.license]).toBeDefined();
    }
  });

  it('matches every checkpoint to its own reference config strongly', () => {
    for (const c of catalog.checkpoints) {
      const m = matchShape(c.shape, c);
      expect({ id: c.id, strong: m?.strong }).toEqual({ id: c.id, strong: true });
    }
  });

  it('reports which checkpoints the fingerprint cannot tell apart', () => {
    const groups: string[][] = [];
    for (const c of catalog.checkpoints) {
      const twins = catalog.checkpoints.filter(
        (o) => o !== c && matchShape(c.shape, o)?.strong && matchShape(o.shape, c)?.strong,
      );
      if (twins.length && !groups.some((g) => g.includes(c.id)))
        groups.push([c.id, ...twins.map((t) => t.id)].sort());
    }
    console.log(
      `checkpoints the config fingerprint cannot tell apart:\n${groups.map((g) => '  ' + g.join(' = ')).join('\n')}`,
    );
    const together = (a: string, b: string) => groups.some((g) => g.includes(a) && g.includes(b));
    // Same weights' geometry, released several times.
    expect(together('deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-R1-0528')).toBe(true);
    expect(together('deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-V3.1')).toBe(true);
    // Different families that the geometry keeps apart.
    expect(together('deepseek-ai/DeepSeek-V3', 'deepseek-ai/DeepSeek-V2')).toBe(false);
    expect(together('meta-llama/Llama-2-7b-chat-hf', 'allenai/OLMo-2-1124-7B')).toBe(false);
    expect(together('Qwen/Qwen1.5-72B-Chat', 'Qwen/Qwen2-72B')).toBe(false);
  });

  it('keeps the license facts of restricted families', () => {
    const l31 = catalog.licenses['llama3.1'];
    expect(l31.kind).toBe('restricted');
    expect(l31.namePrefix).toBe('Llama');
    expect(l31.noticePhrases[0]).toMatch(/^Llama 3\.1 is licensed under the Llama 3\.1 Community License/);
    expect(catalog.licenses.mit.textPhrases).toHaveLength(2);
    expect(catalog.byId.get('deepseek-ai/deepseek-v3')?.copyright).toBe('Copyright (c) 2023 DeepSeek');
  });
});
