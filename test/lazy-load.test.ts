// The bundled CLI loads the Hub client, the policy loader and the SARIF/Markdown formatters only
// when a run needs them (issue 7: every push pays for what a run loads). Observed through Node's
// module hooks, which record every file of dist/ the run loads.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildOnce, CLI, ROOT } from './helpers/bundle.js';
import { tempDir, writeAttributed } from './helpers/fixtures.js';

let probe: string;

beforeAll(async () => {
  await buildOnce();
  const dir = tempDir('lg-lazy-');
  const hooks = path.join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (url.includes('/dist/')) appendFileSync(process.env.LG_LOADED_LOG, url.split('/dist/')[1] + '\\n');
  return next(url, context);
}
`,
  );
  probe = path.join(dir, 'probe.mjs');
  writeFileSync(
    probe,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
}, 120_000);

/** The dist/ files a CLI run loads (chunk names without their content hash), and its exit code. */
function loaded(args: string[]): { files: string[]; code: number | null; stderr: string } {
  const log = path.join(tempDir('lg-lazy-log-'), 'loaded.txt');
  writeFileSync(log, '');
  const r = spawnSync(process.execPath, ['--import', probe, CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, LG_LOADED_LOG: log },
  });
  const files = readFileSync(log, 'utf8').split('\n').filter(Boolean).map(chunkName);
  return { files, code: r.status, stderr: r.stderr };
}

const chunkName = (f: string): string => f.replace(/-[A-Z0-9]{8}\.js$/, '');

const OPTIONAL = ['cli-chunks/setup', 'cli-chunks/load', 'cli-chunks/sarif', 'cli-chunks/markdown'];

describe('lazy loading in dist/cli.js', () => {
  test('the optional code sits in chunks of its own', () => {
    const chunks = readdirSync(path.join(ROOT, 'dist/cli-chunks')).map((f) => chunkName(`cli-chunks/${f}`));
    expect(chunks).toEqual(expect.arrayContaining(OPTIONAL));
  });

  test('a local check whose base is in the catalog loads none of the optional chunks', () => {
    const repo = writeAttributed(tempDir());
    const r = loaded(['check', repo, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.files).toContain('cli.js');
    expect(r.files.filter((f) => OPTIONAL.includes(f))).toEqual([]);
  });

  test('a policy file and --format sarif load the policy loader and the SARIF formatter', () => {
    const repo = writeAttributed(tempDir());
    mkdirSync(path.join(repo, '.github'));
    writeFileSync(path.join(repo, '.github/lineage-gate.yml'), 'fail-on: warning\n');
    const r = loaded(['check', repo, '--format', 'sarif']);
    expect(r.stderr).toBe('');
    expect(r.files).toEqual(expect.arrayContaining(['cli-chunks/load', 'cli-chunks/sarif']));
    expect(r.files).not.toContain('cli-chunks/setup');
  });

  test('a declared base the catalog does not know loads the Hub client', () => {
    const repo = tempDir();
    writeFileSync(
      path.join(repo, 'README.md'),
      '---\nlicense: mit\nbase_model: someorg/unknown-base\n---\n# M\n',
    );
    const r = loaded(['check', repo, '--offline', '--format', 'markdown']);
    expect(r.files).toEqual(expect.arrayContaining(['cli-chunks/setup', 'cli-chunks/markdown']));
    // Offline, the base cannot be verified: the run says so instead of failing on the network.
    expect(r.stderr).toMatch(/someorg\/unknown-base/);
  });
});
