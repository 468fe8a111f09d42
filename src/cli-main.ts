// The CLI adapter: argv → runGate → formatted report → exit code. No judging logic lives here.
import { stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runGate } from './gate.js';
import { findPolicy } from './policy/find.js';
import { PolicyError } from './policy/error.js';
import { createLocalSource } from './sources/local.js';
import { scrub } from './hub/errors.js';
import { hubFailureLine, openHubRun, upstreamNotes } from './hub/run.js';
import { formatJson } from './report/json.js';
import { formatText } from './report/text.js';
import { countsLine } from './report/common.js';
import type { FailOn, Report } from './types.js';
import { VERSION } from './version.js';

export interface CliIo {
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

export const EXIT_PASS = 0;
export const EXIT_FAIL = 1;
export const EXIT_ERROR = 2;

export const USAGE = `Usage: lineage-gate check [DIR] [options]

Check an ML model repository (default: the current directory) for undeclared bases and
missing or conflicting licenses.

Options:
  --hub ORG/NAME[@REV]              check a Hugging Face Hub repo instead of DIR
  --format text|json|markdown|sarif report format (default: text)
  --output FILE                     write the report to FILE; print only the verdict
  --policy FILE                     policy file
  --fail-on error|warning|never     lowest severity that fails the gate (default: error)
  --offline                         do not contact the Hugging Face Hub (use only the cache)
  --cache-dir DIR                   Hub cache (default $LINEAGE_GATE_CACHE or ~/.cache/lineage-gate)
  --debug                           print stack traces on internal errors
  --version                         print the version
  --help                            print this help

Exit status: 0 pass, 1 fail, 2 usage or internal error.
Environment: HF_ENDPOINT (default https://huggingface.co), HF_TOKEN, LINEAGE_GATE_CACHE.
`;

const FORMATS = ['text', 'json', 'markdown', 'sarif'] as const;
const FAIL_ON = ['error', 'warning', 'never'] as const;
type Format = (typeof FORMATS)[number];

/** A mistake in the command line or environment: exit 2, one line, never a stack trace. */
class UsageError extends Error {}

const OPTIONS = {
  hub: { type: 'string' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
  policy: { type: 'string' },
  'fail-on': { type: 'string' },
  offline: { type: 'boolean' },
  'cache-dir': { type: 'string' },
  debug: { type: 'boolean' },
  version: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${value}')`);
}

function firstLine(message: string): string {
  // node's parseArgs messages carry a second sentence about '--'; the first says what is wrong.
  return message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
}

// SARIF and Markdown load only when asked for: most runs print text or JSON.
async function format(report: Report, fmt: Format): Promise<string> {
  if (fmt === 'json') return formatJson(report);
  if (fmt === 'sarif') return (await import('./report/sarif.js')).formatSarif(report);
  if (fmt === 'markdown') return (await import('./report/markdown.js')).formatMarkdown(report);
  return formatText(report);
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (err) {
      throw new UsageError(firstLine(err instanceof Error ? err.message : String(err)));
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT_PASS;
    }
    if (values.version) {
      io.stdout.write(`lineage-gate ${VERSION}\n`);
      return EXIT_PASS;
    }
    const [command, ...rest] = positionals;
    if (command === undefined)
      throw new UsageError("missing command; try 'lineage-gate check [DIR]' or --help");
    if (command !== 'check') throw new UsageError(`unknown command '${command}'; try --help`);
    if (rest.length > 1) throw new UsageError(`expected at most one DIR, got ${rest.length}`);

    const fmt = oneOf('format', values.format, FORMATS, 'text');
    // Unset flags fall back to the policy file, then to the defaults.
    const failOnFlag: FailOn | undefined =
      values['fail-on'] === undefined ? undefined : oneOf('fail-on', values['fail-on'], FAIL_ON, 'error');
    if (values.hub !== undefined && rest.length > 0) throw new UsageError('give DIR or --hub, not both');

    // Passed on as typed, so the report's target.path is what the user wrote (e.g. '.').
    const dir = rest[0] ?? '.';
    const info = values.hub === undefined ? await stat(dir).catch(() => undefined) : undefined;
    if (values.hub === undefined && !info) throw new UsageError(`no such directory: ${dir}`);
    if (info && !info.isDirectory()) throw new UsageError(`not a directory: ${dir}`);
    // The Hub: the target with --hub, and declared upstreams the catalog lacks in any case.
    const hub = await openHubRun({
      env: process.env,
      hubRepo: values.hub,
      cacheDir: values['cache-dir'],
      offline: values.offline ?? false,
    });

    // --policy FILE, else DIR/.github/lineage-gate.yml when present.
    const policy = await findPolicy(values.policy, dir).catch((err: unknown) => {
      throw err instanceof PolicyError ? new UsageError(err.message) : err;
    });
    const failOn: FailOn = failOnFlag ?? policy?.failOn ?? 'error';
    const report = await runGate({
      source: hub.source ?? createLocalSource(dir),
      failOn,
      upstreams: hub.upstreams,
      ...(policy ? { policy } : {}),
    });
    for (const note of upstreamNotes(report)) io.stderr.write(`lineage-gate: note: ${note}\n`);
    if (debug) {
      const { requests, bytes } = hub.stats();
      io.stderr.write(`lineage-gate: Hub: ${requests} requests, ${bytes} bytes received\n`);
    }
    const output = await format(report, fmt);
    if (values.output !== undefined) {
      try {
        await writeFile(values.output, output);
      } catch (err) {
        throw new UsageError(`cannot write ${values.output}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
      io.stdout.write(
        `Lineage Gate: ${report.verdict} (${countsLine(report)}); report written to ${values.output}\n`,
      );
    } else {
      io.stdout.write(output);
    }
    return report.verdict === 'pass' ? EXIT_PASS : EXIT_FAIL;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    // A Hub failure (gated, missing, dead network, bad HF_ENDPOINT) is one plain line, never a crash.
    const hubLine = hubFailureLine(e, [process.env.HF_TOKEN]);
    const prefix = e instanceof UsageError || hubLine ? '' : 'internal error: ';
    const line = hubLine ?? scrub(firstLine(e.message), [process.env.HF_TOKEN]);
    io.stderr.write(`lineage-gate: ${prefix}${line}\n`);
    if (debug && e.stack) io.stderr.write(e.stack + '\n');
    return EXIT_ERROR;
  }
}
