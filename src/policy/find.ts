// Finding the policy file. The loader (YAML, zod, the schema) is imported only when there is a
// file to load: most repositories have none, and every run pays for what it loads.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Policy } from './policy.js';

export const DEFAULT_POLICY_FILE = '.github/lineage-gate.yml';

/**
 * The policy an adapter uses: `explicit` (the `policy` input / `--policy FILE`, which must exist),
 * else `<root>/.github/lineage-gate.yml` when present, else none. Throws PolicyError.
 */
export async function findPolicy(
  explicit: string | undefined,
  root: string,
  cwd?: string,
): Promise<Policy | null> {
  const at = cwd ? { cwd } : {};
  if (explicit !== undefined) return (await import('./load.js')).loadPolicy({ file: explicit, ...at });
  const file = root === '.' || root === '' ? DEFAULT_POLICY_FILE : path.join(root, DEFAULT_POLICY_FILE);
  // lstat, not stat: a symlink is there to be refused by the loader, not skipped.
  const present = await fsp.lstat(path.resolve(cwd ?? process.cwd(), file)).then(
    () => true,
    (err: NodeJS.ErrnoException) => err.code !== 'ENOENT',
  );
  if (!present) return null;
  return (await import('./load.js')).loadPolicy({ file, ...at, optional: true });
}
