// Every failure of a Hub call becomes one HubError with a kind the gate can act on (a gated
// upstream is a note, a dead network is one error line) and a one-line message that never holds
// the access token.

export type HubErrorKind =
  /** 401: no or a bad token (private or gated repo). */
  | 'unauthorized'
  /** 403: the token's account has not been granted access (gated repo). */
  | 'gated'
  /** 404 (or the Hub's RepoNotFound/EntryNotFound/RevisionNotFound codes). */
  | 'missing'
  /** 429 after every retry. */
  | 'throttled'
  /** 5xx after every retry, or another unexpected status. */
  | 'server'
  /** Connection refused, DNS failure, reset: the network is not there. */
  | 'network'
  | 'timeout'
  /** The server answered with something that is not what the Hub API returns. */
  | 'bad-response'
  /** --offline and the cache does not hold it. */
  | 'offline';

export class HubError extends Error {
  readonly kind: HubErrorKind;
  readonly status?: number;
  /** The message without the subject (what was being read), for notes that name it themselves. */
  readonly reason: string;
  /** True once the message names its subject (`org/name: …`). */
  readonly hasSubject: boolean;
  constructor(kind: HubErrorKind, reason: string, status?: number, subject?: string) {
    super(subject ? `${subject}: ${reason}` : reason);
    this.name = 'HubError';
    this.kind = kind;
    this.reason = reason;
    this.hasSubject = subject !== undefined;
    if (status !== undefined) this.status = status;
  }
}

/** Kind of a final HTTP status; `code` is the Hub's X-Error-Code header when present. */
export function kindOfStatus(status: number, code?: string | null): HubErrorKind {
  // The Hub answers 401 for a repo that does not exist when no token is sent (it will not say
  // whether a private repo exists); its error code tells the two apart.
  if (code === 'RepoNotFound' || code === 'EntryNotFound' || code === 'RevisionNotFound') return 'missing';
  if (code === 'GatedRepo') return 'gated';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'gated';
  if (status === 404 || status === 410) return 'missing';
  if (status === 429) return 'throttled';
  return 'server';
}

export function describeStatus(kind: HubErrorKind, status: number): string {
  switch (kind) {
    case 'unauthorized':
      return `HTTP ${status}: not authorized (private or gated; set HF_TOKEN or the hf-token input)`;
    case 'gated':
      return `HTTP ${status}: access denied (gated; accept the repo's conditions with the token's account)`;
    case 'missing':
      return `HTTP ${status}: not found`;
    case 'throttled':
      return `HTTP ${status}: rate limited by the Hub, still after retries`;
    default:
      return `HTTP ${status}: the Hub answered with an error, still after retries`;
  }
}

/** Status words used in notes and upstream records. */
export function shortKind(kind: HubErrorKind): string {
  return kind === 'unauthorized' || kind === 'gated' ? 'gated' : kind;
}

const TOKEN_LIKE = /\bhf_[A-Za-z0-9]{6,}\b/g;

/**
 * Removes secrets from a text meant for a log, a report or an error line: every given secret, and
 * anything shaped like a Hugging Face token. Also cut to one line.
 */
export function scrub(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out.replace(TOKEN_LIKE, 'hf_***');
}

function errName(err: unknown): string {
  return typeof err === 'object' && err !== null && 'name' in err
    ? String((err as { name: unknown }).name)
    : '';
}

function errCode(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * Any error met while talking to the Hub, as a HubError: HubErrors pass through; aborts are
 * timeouts; undici's "fetch failed" (with an errno cause) is the network; anything else thrown by
 * the client (a TypeError on a malformed answer, bad JSON) is a bad response.
 */
export function toHubError(err: unknown, what: string): HubError {
  if (err instanceof HubError) {
    return err.hasSubject ? err : new HubError(err.kind, err.reason, err.status, what);
  }
  const name = errName(err);
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new HubError('timeout', 'the Hub did not answer in time', undefined, what);
  }
  const code = errCode(err);
  if (code || (err instanceof TypeError && /fetch failed|network|socket|terminated/i.test(err.message))) {
    return new HubError('network', `cannot reach the Hub${code ? ` (${code})` : ''}`, undefined, what);
  }
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number') {
    const kind = kindOfStatus(status);
    return new HubError(kind, describeStatus(kind, status), status, what);
  }
  return new HubError('bad-response', "the Hub's answer could not be understood", undefined, what);
}
