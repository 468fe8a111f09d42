import fc from 'fast-check';
import { fuzzParams } from './helpers/fuzz.js';
import { parseLfsPointer, mayBeLfsPointer } from '../src/evidence/lfs.js';

const OID = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
const pointer = (body: string): Buffer => Buffer.from(body, 'utf8');
const GOOD = `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\nsize 4976698672\n`;

describe('parseLfsPointer', () => {
  it('reads the object id and size of a v1 pointer', () => {
    expect(parseLfsPointer(pointer(GOOD))).toEqual({ oid: OID, size: 4976698672 });
  });

  it('accepts the pre-release hawser version URL and extension lines', () => {
    const ext = `ext-0-foo sha256:${'b'.repeat(64)}`;
    const text = `version https://hawser.github.com/spec/v1\n${ext}\noid sha256:${OID}\nsize 0\n`;
    expect(parseLfsPointer(pointer(text))).toEqual({ oid: OID, size: 0 });
  });

  it.each([
    ['CRLF line endings', GOOD.replace(/\n/g, '\r\n')],
    ['no trailing newline', GOOD.slice(0, -1)],
    ['version not first', `oid sha256:${OID}\nversion https://git-lfs.github.com/spec/v1\nsize 1\n`],
    ['keys unsorted', `version https://git-lfs.github.com/spec/v1\nsize 1\noid sha256:${OID}\n`],
    [
      'duplicate key',
      `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\noid sha256:${OID}\nsize 1\n`,
    ],
    ['unknown version', GOOD.replace('spec/v1', 'spec/v2')],
    ['short oid', GOOD.replace(OID, OID.slice(1))],
    ['upper-case oid', GOOD.replace(OID, OID.toUpperCase())],
    ['sha1 oid', GOOD.replace('sha256:', 'sha1:')],
    ['negative size', GOOD.replace('size 4976698672', 'size -1')],
    ['size with leading zero', GOOD.replace('size 4976698672', 'size 01')],
    ['size beyond 2^53', GOOD.replace('size 4976698672', 'size 9999999999999999')],
    ['missing size', `version https://git-lfs.github.com/spec/v1\noid sha256:${OID}\n`],
    ['unknown key (sorted last)', `${GOOD}zzz 1\n`],
    ['extension after oid', GOOD.replace('size', `ext-0-x sha256:${'c'.repeat(64)}\nsize`)],
    ['double space', GOOD.replace('size ', 'size  ')],
    ['empty', ''],
  ])('rejects %s', (_name, text) => {
    expect(parseLfsPointer(pointer(text))).toBeNull();
  });

  it('rejects 1024 bytes or more, and binary data', () => {
    expect(parseLfsPointer(Buffer.concat([pointer(GOOD), Buffer.alloc(1100, 0x20)]))).toBeNull();
    const bin = Buffer.from(GOOD);
    bin[3] = 0;
    expect(parseLfsPointer(bin)).toBeNull();
    // A safetensors file begins with a binary length: never a pointer.
    const st = Buffer.alloc(16);
    st.writeBigUInt64LE(8n, 0);
    expect(parseLfsPointer(st)).toBeNull();
  });

  it('mayBeLfsPointer bounds by size', () => {
    expect(mayBeLfsPointer(133)).toBe(true);
    expect(mayBeLfsPointer(0)).toBe(false);
    expect(mayBeLfsPointer(1024)).toBe(false);
  });

  it('property: any bytes give a pointer or null, never a throw; valid pointers round-trip', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1200 }), (bytes) => {
        const r = parseLfsPointer(Buffer.from(bytes));
        expect(r === null || (typeof r.oid === 'string' && Number.isSafeInteger(r.size))).toBe(true);
      }),
      fuzzParams(),
    );
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9a-f]{64}$/),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        (oid, size) => {
          const text = `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;
          expect(parseLfsPointer(pointer(text))).toEqual({ oid, size });
        },
      ),
      fuzzParams(),
    );
  });
});
