// fast-check parameters shared by every property test: a fixed seed and a run count small enough
// for CI. `npm run fuzz` raises both through the environment (FUZZ_RUNS, FUZZ_SEED).
import type { Parameters } from 'fast-check';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261124);
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200);

/** Parameters for `fc.assert`; `scale` weights expensive properties down (e.g. 0.25). */
export function fuzzParams<T>(scale = 1): Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: Math.max(10, Math.round(FUZZ_RUNS * scale)) };
}
