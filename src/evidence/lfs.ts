// Git LFS pointer files (spec v1). After `actions/checkout` with `lfs: false`, every weights file is
// one of these: a few lines of text naming the object id and size. They are evidence, not damage.
// https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md

export interface LfsPointer {
  /** sha256 of the real object, 64 lower-case hex digits. */
  oid: string;
  /** Size of the real object in bytes. */
  size: number;
}

/** The spec bounds a pointer at 1024 bytes; git-lfs itself ignores anything larger. */
export const LFS_POINTER_MAX_BYTES = 1024;

const VERSIONS = new Set(['https://git-lfs.github.com/spec/v1', 'https://hawser.github.com/spec/v1']);
const KEY = /^[a-z0-9.-]+$/;
const OID = /^sha256:([0-9a-f]{64})$/;
const SIZE = /^(0|[1-9][0-9]{0,15})$/;
const EXT = /^ext-[0-9]+-[a-z0-9]+$/;
const EXT_VALUE = /^sha256:[0-9a-f]{64}$/;

/**
 * Parses a Git LFS pointer. Returns null for anything that is not a well-formed v1 pointer: too
 * large, not UTF-8 text, CRLF line endings, missing trailing newline, version not first, other keys
 * unsorted or unknown (only `ext-N-name` extension keys are allowed besides `oid` and `size`),
 * duplicate keys, a malformed oid or size.
 */
export function parseLfsPointer(data: Buffer): LfsPointer | null {
  if (data.length === 0 || data.length >= LFS_POINTER_MAX_BYTES) return null;
  // Plain printable ASCII plus LF only: rejects CR, NUL, tabs and any binary payload.
  for (const byte of data) {
    if (byte !== 0x0a && (byte < 0x20 || byte > 0x7e)) return null;
  }
  const text = data.toString('latin1');
  if (!text.endsWith('\n')) return null;
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return null;

  let oid: string | null = null;
  let size: number | null = null;
  let previousKey = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const space = line.indexOf(' ');
    if (space <= 0) return null;
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (!KEY.test(key) || value.length === 0) return null;
    if (i === 0) {
      if (key !== 'version' || !VERSIONS.has(value)) return null;
      continue;
    }
    if (key <= previousKey) return null; // sorted, and therefore no duplicates
    previousKey = key;
    if (key === 'oid') {
      const match = OID.exec(value);
      if (!match) return null;
      oid = match[1];
    } else if (key === 'size') {
      if (!SIZE.test(value)) return null;
      const n = Number(value);
      if (!Number.isSafeInteger(n)) return null;
      size = n;
    } else if (EXT.test(key)) {
      if (!EXT_VALUE.test(value)) return null;
    } else {
      return null;
    }
  }
  if (oid === null || size === null) return null;
  return { oid, size };
}

/** True when the bytes could be a pointer by size alone (cheap pre-check before reading a file). */
export function mayBeLfsPointer(fileSize: number): boolean {
  return fileSize > 0 && fileSize < LFS_POINTER_MAX_BYTES;
}
