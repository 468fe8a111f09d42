// The report's account of what was read beyond the card and config, so a reader can tell an absent
// signal (nothing to read, LFS pointers only) from a negative one.
import type { EvidenceSummary } from '../types.js';
import type { ModelEvidence } from './types.js';

const MAX_LISTED = 50;

export function summarizeEvidence(ev: ModelEvidence): EvidenceSummary | undefined {
  const out: EvidenceSummary = {};
  const t = ev.tokenizer?.parsed;
  if (t) out.tokenizer = { file: t.file, kind: t.kind, vocabSize: t.vocabSize };
  const w = ev.weights;
  if (w) {
    out.weights = {
      file: w.file,
      shards: w.shards,
      headersRead: w.headersRead,
      tensors: w.tensorCount,
      dtypes: w.dtypes,
    };
  }
  if (ev.gguf) out.gguf = { file: ev.gguf.file, architecture: ev.gguf.facts.architecture };
  const lfs = ev.lfs ?? [];
  if (lfs.length) {
    out.lfsPointers = {
      count: lfs.length,
      bytes: lfs.reduce((a, p) => a + p.size, 0),
      files: lfs.slice(0, MAX_LISTED).map(({ file, oid, size }) => ({ file, oid, size })),
    };
  }
  return Object.keys(out).length ? out : undefined;
}
