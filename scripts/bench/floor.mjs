#!/usr/bin/env node
// The floor the gate is compared with: the least work any gate must do on a checkout — list the tree,
// read the small files whole (config, card, license and notice texts, tokenizer files, the shard index)
// and parse the JSON ones, and of every safetensors file read only the 8-byte header length and the
// JSON header and parse it (an LFS pointer: its few bytes). No judging, no output beyond a count.
// Plain synchronous reads: on a warm page cache nothing is faster in Node.
//   node scripts/bench/floor.mjs DIR
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';
import path from 'node:path';

const SMALL =
  /^(?:config\.json|adapter_config\.json|tokenizer\.json|tokenizer_config\.json|model\.safetensors\.index\.json|readme\.md|(?:licen[cs]e|notice|copying)(?:[-._].*)?)$/i;

function readHeader(file) {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(8);
    if (readSync(fd, head, 0, 8, 0) < 8) return 0;
    if (head.toString('latin1') === 'version ') {
      // A Git LFS pointer: the spec bounds it at 1024 bytes.
      const ptr = Buffer.alloc(1024);
      return readSync(fd, ptr, 0, 1024, 0) > 0 ? 1 : 0;
    }
    const n = Number(head.readBigUInt64LE(0));
    const json = Buffer.alloc(n);
    readSync(fd, json, 0, n, 8);
    return Object.keys(JSON.parse(json.toString('utf8'))).length;
  } finally {
    closeSync(fd);
  }
}

let items = 0;
for (const e of readdirSync(process.argv[2], { withFileTypes: true, recursive: true })) {
  if (!e.isFile()) continue;
  const file = path.join(e.parentPath ?? e.path, e.name);
  if (e.name.endsWith('.safetensors')) items += readHeader(file);
  else if (SMALL.test(e.name)) {
    const text = readFileSync(file, 'utf8');
    items += e.name.endsWith('.json') ? Object.keys(JSON.parse(text)).length : text.length > 0 ? 1 : 0;
  }
}
process.stdout.write(`${items}\n`);
