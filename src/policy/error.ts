// The one error a policy file can cause, kept apart from the loader so that the CLI and the Action
// can catch it without loading YAML and zod.

export interface PolicyProblem {
  line?: number;
  message: string;
}

/** A policy that cannot be used: exit 2 in the CLI, setFailed in the Action, one line each. */
export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly problems: PolicyProblem[],
  ) {
    const first = problems[0] ?? { message: 'cannot be used' };
    const where = first.line !== undefined ? `${file}:${first.line}` : file;
    const more =
      problems.length > 1
        ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})`
        : '';
    super(`policy ${where}: ${first.message}${more}`);
    this.name = 'PolicyError';
  }
}
