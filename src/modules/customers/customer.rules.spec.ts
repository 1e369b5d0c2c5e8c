import {
  creditCodeCheckChar,
  expectedVersion,
  isReasonRequired,
  mergeFields,
  isValidCreditCode,
  maskEmail,
  maskMobile,
  maskWechatId,
  normalizeCustomerName,
  normalizeEmail,
  normalizeMobile,
  normalizeWechatId,
} from './customer.rules';

describe('normalizeCustomerName', () => {
  it('folds full-width characters, case, spacing and punctuation', () => {
    expect(normalizeCustomerName('  Ｈｕａｗｅｉ  Technologies, Co.（Ltd） ')).toBe(
      normalizeCustomerName('huawei technologies co ltd'),
    );
    expect(normalizeCustomerName('huawei technologies co ltd')).toBe('huaweitechnologiescoltd');
  });

  it('matches Chinese names that differ only in spacing and punctuation', () => {
    expect(normalizeCustomerName('华为 技术（有限）公司。')).toBe(normalizeCustomerName('华为技术有限公司'));
    expect(normalizeCustomerName('华为技术有限公司')).toBe('华为技术有限公司');
  });

  it('removes symbols as well', () => {
    expect(normalizeCustomerName('A&B + C®')).toBe('abc');
  });

  it('keeps different names apart', () => {
    expect(normalizeCustomerName('华为技术有限公司')).not.toBe(normalizeCustomerName('华为终端有限公司'));
  });
});

describe('isValidCreditCode', () => {
  const VALID = '91350100M000100Y43';

  it('accepts a known valid code', () => {
    expect(isValidCreditCode(VALID)).toBe(true);
    expect(creditCodeCheckChar(VALID.slice(0, 17))).toBe('3');
  });

  it('accepts codes built with the check character', () => {
    for (const body of ['91110000600037341L', '12100000400000000', 'Y0000000000000000']) {
      const first17 = body.slice(0, 17);
      expect(isValidCreditCode(first17 + creditCodeCheckChar(first17))).toBe(true);
    }
  });

  it('maps a check value of 31 to 0', () => {
    // The last body character's weight (28) is coprime with 31, so some choice of it makes the sum a multiple of 31.
    const body = [...'0123456789ABCDEFGHJKLMNPQRTUWXY']
      .map((last) => `9111000071093000${last}`)
      .find((candidate) => creditCodeCheckChar(candidate) === '0');
    expect(body).toBeDefined();
    expect(isValidCreditCode(`${body}0`)).toBe(true);
  });

  it('rejects a wrong check character', () => {
    expect(isValidCreditCode('91350100M000100Y44')).toBe(false);
    expect(isValidCreditCode('91350100M000100Y4A')).toBe(false);
  });

  it('rejects a changed body character', () => {
    expect(isValidCreditCode('91350100M000100Y53')).toBe(false);
  });

  it('rejects wrong lengths', () => {
    expect(isValidCreditCode('')).toBe(false);
    expect(isValidCreditCode(VALID.slice(0, 17))).toBe(false);
    expect(isValidCreditCode(`${VALID}3`)).toBe(false);
  });

  it('rejects lower case and the excluded letters I, O, Z, S, V', () => {
    expect(isValidCreditCode(VALID.toLowerCase())).toBe(false);
    for (const letter of ['I', 'O', 'Z', 'S', 'V']) {
      const first17 = `91350100${letter}000100Y4`;
      expect(creditCodeCheckChar(first17)).toBeUndefined();
      for (const check of '0123456789ABCDEFGHJKLMNPQRTUWXY') expect(isValidCreditCode(first17 + check)).toBe(false);
    }
  });

  it('has no check character for a malformed body', () => {
    expect(creditCodeCheckChar('1234')).toBeUndefined();
    expect(creditCodeCheckChar('91350100m000100Y4')).toBeUndefined();
  });
});

describe('normalizeMobile', () => {
  it.each(['+86 138-0013-8000', '13800138000', '008613800138000', '8613800138000', '(+86) 138 0013 8000', '138.0013.8000'])(
    'normalizes the mainland mobile %s',
    (raw) => expect(normalizeMobile(raw)).toBe('+8613800138000'),
  );

  it.each(['12800138000', '1380013800', '138001380000', 'abc', '', '+86', '0013800138000', '8513800138000', '+86 10 6552 9988', '+8612800138000'])(
    'rejects %p',
    (raw) => expect(normalizeMobile(raw)).toBeUndefined(),
  );

  it('normalizes international numbers with libphonenumber', () => {
    expect(normalizeMobile('+44 20 7946 0958')).toBe('+442079460958');
    expect(normalizeMobile('+1 (650) 253-0000')).toBe('+16502530000');
  });

  it('rejects international numbers libphonenumber considers invalid', () => {
    expect(normalizeMobile('+44 12')).toBeUndefined();
    expect(normalizeMobile('+999 1234 5678')).toBeUndefined();
  });

  it('does not guess a country for numbers without "+"', () => {
    expect(normalizeMobile('020 7946 0958')).toBeUndefined();
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Zhang.San@Example.COM ')).toBe('zhang.san@example.com');
  });

  it('accepts sub-domains and plus addressing', () => {
    expect(normalizeEmail('li+crm@mail.example.com.cn')).toBe('li+crm@mail.example.com.cn');
  });

  it.each(['', 'zhang', '@example.com', 'zhang@', 'zhang@example', 'zhang san@example.com', 'a@b@example.com', 'zhang@exa mple.com', 'zhang@example..com', 'zhang@.example.com', 'zhang@example.com.'])(
    'rejects %p',
    (raw) => expect(normalizeEmail(raw)).toBeUndefined(),
  );

  it('enforces the 254-character limit', () => {
    const domain = '@example.com';
    expect(normalizeEmail('a'.repeat(254 - domain.length) + domain)).toHaveLength(254);
    expect(normalizeEmail('a'.repeat(255 - domain.length) + domain)).toBeUndefined();
  });
});

describe('normalizeWechatId', () => {
  it('trims and keeps case', () => {
    expect(normalizeWechatId('  Zhang_San-88 ')).toBe('Zhang_San-88');
  });

  it('accepts the length limits 6 and 20', () => {
    expect(normalizeWechatId('abcdef')).toBe('abcdef');
    expect(normalizeWechatId(`a${'1'.repeat(19)}`)).toHaveLength(20);
  });

  it.each(['abcde', `a${'1'.repeat(20)}`, '1abcdef', '_abcdef', 'abc def', 'abc.def', '张三abcdef', ''])(
    'rejects %p',
    (raw) => expect(normalizeWechatId(raw)).toBeUndefined(),
  );
});

describe('masking', () => {
  it('shows a mainland mobile without the country code', () => {
    expect(maskMobile('+8613800138000')).toBe('138****8000');
  });

  it('keeps the country code of foreign numbers visible', () => {
    expect(maskMobile('+442079460958')).toBe('+44207****0958');
    expect(maskMobile('+16502530000')).toBe('+1650****0000');
  });

  it('shows only the last two digits of a short national number', () => {
    expect(maskMobile('+3546111234')).toBe('+354****34');
  });

  it('reveals little of an unparseable value', () => {
    expect(maskMobile('garbage12')).toBe('****12');
  });

  it('masks e-mail local parts', () => {
    expect(maskEmail('zhang.san@example.com')).toBe('z***@example.com');
    expect(maskEmail('not-an-email')).toBe('***');
  });

  it('masks WeChat ids', () => {
    expect(maskWechatId('wxid_abc12')).toBe('wx****12');
    expect(maskWechatId('abc')).toBe('****');
  });
});

describe('isReasonRequired', () => {
  const base = { stage: 'prospect', importance: 3, ownerId: 'u1' };
  it('is not needed for an ordinary change', () => expect(isReasonRequired(base, { ...base, importance: 4 })).toBe(false));
  it('is needed when the customer is or becomes strategic or importance 5', () => {
    expect(isReasonRequired({ ...base, stage: 'strategic' }, { ...base, stage: 'strategic' })).toBe(true);
    expect(isReasonRequired(base, { ...base, stage: 'strategic' })).toBe(true);
    expect(isReasonRequired({ ...base, importance: 5 }, { ...base, importance: 4 })).toBe(true);
  });
  it('is needed when the owner changes', () => expect(isReasonRequired(base, { ...base, ownerId: 'u2' })).toBe(true));
});

describe('expectedVersion', () => {
  it('reads If-Match, strong or weak', () => {
    expect(expectedVersion('"3"', undefined)).toBe(3);
    expect(expectedVersion('W/"7"', undefined)).toBe(7);
  });
  it('falls back to the body', () => expect(expectedVersion(undefined, 4)).toBe(4));
  it('is undefined when neither is given', () => expect(expectedVersion(undefined, undefined)).toBeUndefined());
  it('flags a malformed header or a disagreement', () => {
    expect(expectedVersion('*', undefined)).toBe('conflicting');
    expect(expectedVersion('"3"', 4)).toBe('conflicting');
  });
  it('refuses a version no integer column holds as malformed', () => {
    expect(expectedVersion('"2147483647"', undefined)).toBe(2147483647);
    expect(expectedVersion('"2147483648"', undefined)).toBe('conflicting');
    expect(expectedVersion('"99999999999999999999"', undefined)).toBe('conflicting');
  });
});

describe('mergeFields', () => {
  const blank: Record<string, unknown> = { shortName: null, kind: 'organization', industry: null, scale: null, region: null, landline: null, source: 'other', stage: 'potential', importance: 3, needs: {}, notes: null, creditCode: null, annualRevenue: null, cooperationSince: null, potentialScore: null, tierId: null };
  const survivor = { ...blank, id: 's', industry: '制造', notes: null } as Parameters<typeof mergeFields>[0];
  const other = { ...blank, id: 'o', industry: '零售', notes: '老客户', needs: { budgetRange: '100 万' }, scale: '500+' } as Parameters<typeof mergeFields>[0];

  it('keeps the survivor\'s values and fills its empty ones from the others', () => {
    const { values, sources } = mergeFields(survivor, [other]);
    expect(values).toMatchObject({ industry: '制造', notes: '老客户', needs: { budgetRange: '100 万' }, scale: '500+' });
    expect(sources).toMatchObject({ industry: 's', notes: 'o', scale: 'o' });
  });

  it('takes a field from the customer the choices name', () => {
    expect(mergeFields(survivor, [other], { industry: 'o' }).values.industry).toBe('零售');
  });
});
