// allow-licenses / deny-licenses evaluation: SPDX AND/OR/WITH as SPDX defines them, Hub ids mapped.
import { defaultCatalog } from '../src/catalog/index.js';
import {
  judgeExpression,
  readExpression,
  readTerm,
  type LicenseExpr,
  type LicenseLists,
} from '../src/policy/licenses.js';

const licenses = defaultCatalog().licenses;

function expr(value: string): LicenseExpr {
  const r = readExpression(value, licenses);
  if (!r.ok) throw new Error(`${value} ${r.why}`);
  return r.expr;
}

function lists(allow: string[] | null, deny: string[] = []): LicenseLists {
  const keys = (xs: string[]) =>
    new Set(
      xs.map((x) => {
        const t = readTerm(x, licenses);
        if (typeof t === 'string') throw new Error(t);
        return t.key;
      }),
    );
  return { allow: allow === null ? null : keys(allow), deny: keys(deny) };
}

const judge = (value: string, l: LicenseLists) => judgeExpression(expr(value), l);

describe('OR: the licensee may choose either side', () => {
  test('MIT OR Apache-2.0 satisfies an allow-list holding only MIT', () => {
    expect(judge('MIT OR Apache-2.0', lists(['MIT']))).toEqual({ ok: true });
  });
  test('fails only when no side is allowed, naming the licenses outside the list', () => {
    expect(judge('GPL-3.0-only OR AGPL-3.0-only', lists(['MIT']))).toEqual({
      ok: false,
      reason: 'not-allowed',
      licenses: ['GPL-3.0-only', 'AGPL-3.0-only'],
    });
  });
  test('is denied only when every side is denied', () => {
    expect(judge('MIT OR GPL-3.0-only', lists(null, ['GPL-3.0-only']))).toEqual({ ok: true });
    expect(
      judge('GPL-3.0-only OR AGPL-3.0-only', lists(null, ['GPL-3.0-only', 'AGPL-3.0-only'])),
    ).toMatchObject({
      ok: false,
      reason: 'denied',
    });
  });
});

describe('AND: both licenses bind', () => {
  test('MIT AND GPL-3.0-only with GPL denied is denied, naming GPL', () => {
    expect(judge('MIT AND GPL-3.0-only', lists(null, ['GPL-3.0-only']))).toEqual({
      ok: false,
      reason: 'denied',
      licenses: ['GPL-3.0-only'],
    });
  });
  test('needs every license on the allow-list', () => {
    expect(judge('MIT AND Apache-2.0', lists(['MIT']))).toMatchObject({
      ok: false,
      licenses: ['Apache-2.0'],
    });
    expect(judge('MIT AND Apache-2.0', lists(['MIT', 'Apache-2.0']))).toEqual({ ok: true });
  });
  test('precedence and parentheses: MIT AND (Apache-2.0 OR GPL-3.0-only)', () => {
    const l = lists(['MIT', 'Apache-2.0']);
    expect(judge('MIT AND (Apache-2.0 OR GPL-3.0-only)', l)).toEqual({ ok: true });
    // AND binds tighter than OR: (MIT AND GPL) OR Apache-2.0 → Apache-2.0 alone is a valid choice.
    expect(judge('MIT AND GPL-3.0-only OR Apache-2.0', lists(['Apache-2.0']))).toEqual({ ok: true });
    expect(judge('MIT AND (GPL-3.0-only OR Apache-2.0)', lists(['Apache-2.0']))).toMatchObject({ ok: false });
  });
  test('allowed but also denied: the deny-list wins and is named as the cause', () => {
    expect(judge('MIT AND GPL-3.0-only', lists(['MIT', 'GPL-3.0-only'], ['GPL-3.0-only']))).toMatchObject({
      ok: false,
      reason: 'denied',
      licenses: ['GPL-3.0-only'],
    });
  });
});

describe('Hugging Face ids and SPDX spellings are the same license', () => {
  test.each([
    ['apache-2.0', ['Apache-2.0']],
    ['Apache-2.0', ['apache-2.0']],
    ['mit OR apache-2.0', ['MIT']],
    ['llama3.1', ['LicenseRef-Llama-3.1-Community']],
    ['llama3.1', ['llama3.1']],
    ['gemma', ['gemma']],
    // The Hub writes the deprecated bare GNU ids; SPDX maps them to -only.
    ['gpl-3.0', ['GPL-3.0-only']],
    ['GPL-2.0+', ['GPL-2.0-or-later']],
  ])('%s is allowed by %j', (value, allow) => {
    expect(judge(value, lists(allow))).toEqual({ ok: true });
  });

  test('llama3.1 is not llama3 and not Apache-2.0', () => {
    expect(judge('llama3.1', lists(['llama3', 'apache-2.0']))).toMatchObject({
      ok: false,
      reason: 'not-allowed',
    });
  });

  test('a Hub-only id without an SPDX id (openrail) is matched by its own id', () => {
    expect(judge('openrail', lists(['openrail']))).toEqual({ ok: true });
    expect(judge('openrail', lists(null, ['OpenRAIL']))).toMatchObject({ ok: false, reason: 'denied' });
  });
});

describe('WITH exceptions', () => {
  test('an exception adds permissions: allowing the license allows it WITH an exception', () => {
    expect(judge('GPL-2.0-only WITH Classpath-exception-2.0', lists(['GPL-2.0-only']))).toEqual({ ok: true });
  });
  test('allowing the license WITH an exception does not allow it without', () => {
    expect(judge('GPL-2.0-only', lists(['GPL-2.0-only WITH Classpath-exception-2.0']))).toMatchObject({
      ok: false,
    });
  });
  test('denying the license denies it with any exception', () => {
    expect(judge('GPL-2.0-only WITH Classpath-exception-2.0', lists(null, ['GPL-2.0-only']))).toMatchObject({
      ok: false,
      reason: 'denied',
    });
  });
});

describe('what cannot be identified', () => {
  test.each(['other', 'unknown', 'NOASSERTION', 'not a license', 'MIT AND'])(
    '%s is not an expression',
    (value) => {
      expect(readExpression(value, licenses).ok).toBe(false);
    },
  );
  test('a very long AND chain is refused by length, not a stack overflow', () => {
    expect(readExpression(Array(5000).fill('MIT').join(' AND '), licenses)).toMatchObject({
      ok: false,
      why: 'is longer than 1000 characters',
    });
    // Just under the bound, deeply parenthesized: parsed and judged.
    const nested = '('.repeat(240) + 'MIT' + ')'.repeat(240);
    expect(judge(nested, lists(['MIT']))).toEqual({ ok: true });
  });
});
