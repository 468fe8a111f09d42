// The Action adapter: inputs → runGate → annotations, job summary, outputs, setFailed. Holds no
// judging logic of its own; everything it reports comes from the Report.
import * as core from '@actions/core';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError, parseInputs } from './action-inputs.js';
import { runGate } from './gate.js';
import { findPolicy } from './policy/find.js';
import { PolicyError } from './policy/error.js';
import { createLocalSource } from './sources/local.js';
import { hubFailureLine, openHubRun, upstreamNotes } from './hub/run.js';
import { hubBlobUrl } from './hub/settings.js';
import { selectAnnotations } from './report/annotations.js';
import { formatJson } from './report/json.js';
import { formatMarkdown } from './report/markdown.js';
import { formatSarif } from './report/sarif.js';
import { uriPath } from './report/escape.js';
import { changedFilesForAnnotations, loadGitHubRun, publishComment } from './github/pull-request.js';
import type { Report } from './types.js';

export const REPORT_FILE_NAME = 'lineage-gate-report.json';

/** Bases the repo was tied to (strong and weak), unique, in report order. */
export function reportBases(report: Report): string[] {
  return [...new Set(report.models.flatMap((m) => m.lineage.map((l) => l.base)))];
}

/** Prefix that turns a target-relative path into a workspace-relative one ('' when the target is the root). */
function workspacePrefix(workspace: string, dir: string): string {
  const rel = path.relative(workspace, dir).split(path.sep).join('/');
  // A target outside the workspace cannot be annotated by path; keep findings target-relative.
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return '';
  return rel + '/';
}

export async function run(): Promise<void> {
  try {
    // Mask secrets before anything else can log them.
    for (const secret of ['token', 'hf-token']) {
      const v = core.getInput(secret);
      if (v) core.setSecret(v);
    }
    const inputs = parseInputs((name) => core.getInput(name));
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    // The Hub: the target with `hub-repo` (then `path` is not read), and declared upstreams the
    // catalog lacks in any case; the cache is `cache-dir` (workspace-relative), else
    // $LINEAGE_GATE_CACHE, else ~/.cache/lineage-gate.
    const cacheDir = inputs['cache-dir'];
    const hub = await openHubRun({
      env: process.env,
      hubRepo: inputs['hub-repo'],
      token: inputs['hf-token'],
      offline: inputs.offline,
      ...(cacheDir ? { cacheDir: path.resolve(workspace, cacheDir) } : {}),
    });

    const dir = path.resolve(workspace, inputs.path);
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new InputError(`input 'path': ${inputs.path} is not a directory`);

    // The runner starts actions in the workspace: a relative root keeps runner paths out of the report.
    const fromCwd = path.relative(process.cwd(), dir);
    const root = fromCwd.startsWith('..') || path.isAbsolute(fromCwd) ? dir : fromCwd || '.';
    // The `policy` input (workspace-relative), else .github/lineage-gate.yml when present; inputs
    // that are set override the file.
    const policy = await findPolicy(inputs.policy, '.', workspace).catch((err: unknown) => {
      throw err instanceof PolicyError ? new InputError(err.message) : err;
    });
    const failOn = inputs['fail-on'] ?? policy?.failOn ?? 'error';
    const report = await runGate({
      source: hub.source ?? createLocalSource(root),
      failOn,
      upstreams: hub.upstreams,
      ...(policy ? { policy } : {}),
    });
    for (const note of upstreamNotes(report)) core.info(`Lineage Gate: note: ${note}`);

    // A Hub target's files are not in the checkout: its findings point at the Hub, never at a
    // workspace file of the same name.
    const hubFiles =
      report.target.kind === 'hub'
        ? hubBlobUrl(hub.endpoint, report.target.repo, report.target.revision)
        : null;
    const prefix = hubFiles ? '' : workspacePrefix(workspace, dir);
    const log = { info: core.info, warning: core.warning };
    const github = await loadGitHubRun(inputs.token, log);
    // Only the files under the checked directory matter, relative to it.
    const changed = hubFiles ? [] : await changedFilesForAnnotations(github, report, prefix, log);
    const { shown, hidden } = selectAnnotations(report, changed);
    for (const a of shown) {
      const props: core.AnnotationProperties = { title: a.title };
      let message = a.message;
      if (a.file !== undefined && hubFiles) {
        message = `${hubFiles}${uriPath(a.file)}${a.line !== undefined ? `#L${a.line}` : ''}\n${message}`;
      } else if (a.file !== undefined) {
        props.file = prefix + a.file;
        if (a.line !== undefined) props.startLine = a.line;
      }
      if (a.severity === 'error') core.error(message, props);
      else if (a.severity === 'warning') core.warning(message, props);
      else core.notice(message, props);
    }

    const reportFile = path.join(process.env.RUNNER_TEMP || workspace, REPORT_FILE_NAME);
    await writeFile(reportFile, formatJson(report));
    if (inputs['sarif-file']) {
      // Paths in SARIF are repository-relative (the `path` input is prefixed), as code scanning expects.
      const sarifFile = path.resolve(workspace, inputs['sarif-file']);
      await mkdir(path.dirname(sarifFile), { recursive: true });
      await writeFile(
        sarifFile,
        formatSarif(report, hubFiles ? { artifactBase: hubFiles } : { pathPrefix: prefix }),
      );
      core.info(`Lineage Gate: SARIF written to ${sarifFile}`);
    }

    const markdown = formatMarkdown(report, { hiddenAnnotations: hidden });
    if (process.env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(markdown).write();
    } else {
      // core.summary.write() throws without the file; the log still gets the full report.
      core.info('GITHUB_STEP_SUMMARY is not set; writing the summary to the log instead.');
      core.info(markdown);
    }

    core.setOutput('verdict', report.verdict);
    core.setOutput('errors', String(report.summary.errors));
    core.setOutput('warnings', String(report.summary.warnings));
    core.setOutput('bases', JSON.stringify(reportBases(report)));
    core.setOutput('report-file', reportFile);

    await publishComment(
      github,
      report,
      { mode: inputs.comment, path: inputs.path, pathPrefix: prefix },
      log,
    );

    if (report.verdict === 'fail') {
      const { errors, warnings } = report.summary;
      core.setFailed(
        `Lineage Gate: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} (fail-on: ${report.failOn}); see the job summary.`,
      );
    } else {
      core.info(`Lineage Gate: pass (${report.summary.errors} errors, ${report.summary.warnings} warnings).`);
    }
  } catch (err) {
    const hubLine = hubFailureLine(err, [core.getInput('hf-token'), process.env.HF_TOKEN]);
    if (err instanceof InputError) {
      core.setFailed(`Lineage Gate: ${err.message}`);
    } else if (hubLine) {
      core.setFailed(`Lineage Gate: ${hubLine}`);
    } else {
      const e = err instanceof Error ? err : new Error(String(err));
      if (e.stack) core.debug(e.stack);
      core.setFailed(`Lineage Gate: internal error: ${e.message}`);
    }
  }
}
