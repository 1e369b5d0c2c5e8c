import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { INT32_MAX } from '../../common/http/numbers';

/** customers.name and customers.name_normalized are both varchar(200). */
export const CUSTOMER_NAME_MAX_LENGTH = 200;

/**
 * Key for duplicate detection: full-width input (common with Chinese IMEs) folds to half-width,
 * and spacing, punctuation and symbols vary too much between entries to be significant.
 */
export function normalizeCustomerName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, '');
}

// GB 32100-2015 leaves out I, O, Z, S and V so they cannot be misread as 1, 0, 2, 5 and U.
const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const CREDIT_CODE_BODY = /^[0-9A-HJ-NPQRTUWXY]{17}$/;

/** The check character for the first 17 characters of a credit code; undefined if they are malformed. */
export function creditCodeCheckChar(first17: string): string | undefined {
  if (!CREDIT_CODE_BODY.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_ALPHABET.indexOf(first17[i]) * CREDIT_CODE_WEIGHTS[i];
  // 31 - 0 would be 31, which is outside the alphabet; the standard maps it to 0.
  return CREDIT_CODE_ALPHABET[(31 - (sum % 31)) % 31];
}

/** Unified social credit code (统一社会信用代码); upper-case only, as issued. */
export function isValidCreditCode(code: string): boolean {
  if (code.length !== 18) return false;
  const check = creditCodeCheckChar(code.slice(0, 17));
  return check !== undefined && check === code[17];
}

const PHONE_FORMATTING = /[\s\-.()]/g;
// The country prefix is only recognized in front of a mainland mobile number, so that a bare
// "86..." is never mistaken for one.
const MAINLAND_MOBILE = /^(?:\+86|0086|86)?(1[3-9]\d{9})$/;

/** E.164 form of a phone number, or undefined if it is not a usable one. */
export function normalizeMobile(raw: string): string | undefined {
  const compact = raw.replace(PHONE_FORMATTING, '');
  const mainland = MAINLAND_MOBILE.exec(compact);
  if (mainland) return `+86${mainland[1]}`;
  // Without a "+" there is no country to interpret other numbers against; a +86 number that is
  // not a mainland mobile (a landline) is not a mobile at all.
  if (!compact.startsWith('+') || compact.startsWith('+86')) return undefined;
  const parsed = parsePhoneNumberFromString(compact);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** A landline as compared for duplicates: digits only, a leading +86 / 0086 dropped; undefined when too short to mean anything. */
export function normalizeLandline(raw: string | null | undefined): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const digits = raw.replace(/\D/g, '').replace(/^(?:0086|86)(?=\d{9,})/, '0');
  return digits.length >= 7 ? digits : undefined;
}

const MAX_EMAIL_LENGTH = 254; // RFC 5321 path limit minus the angle brackets
const EMAIL = /^[^\s@]+@(?:[^\s@.]+\.)+[^\s@.]+$/;

export function normalizeEmail(raw: string): string | undefined {
  const email = raw.trim().toLowerCase();
  return email.length <= MAX_EMAIL_LENGTH && EMAIL.test(email) ? email : undefined;
}

const WECHAT_ID = /^[A-Za-z][A-Za-z0-9_-]{5,19}$/;

export function normalizeWechatId(raw: string): string | undefined {
  const id = raw.trim();
  return WECHAT_ID.test(id) ? id : undefined;
}

const MASK = '****';

function maskDigits(national: string): string {
  if (national.length < 8) return MASK + national.slice(-2);
  return national.slice(0, 3) + MASK + national.slice(-4);
}

/**
 * Mainland numbers are shown the way people write them locally; foreign ones keep "+" and the
 * country code, otherwise the digits would be read as a mainland number.
 */
export function maskMobile(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return MASK + e164.replace(/\D/g, '').slice(-2);
  const masked = maskDigits(parsed.nationalNumber);
  return parsed.countryCallingCode === '86' ? masked : `+${parsed.countryCallingCode}${masked}`;
}

export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

export function maskWechatId(id: string): string {
  if (id.length < 6) return MASK;
  return id.slice(0, 2) + MASK + id.slice(-2);
}

/** 004 §2.2: changing a strategic or VIP customer, or its owner, needs a written reason. */
export function isReasonRequired(
  before: { stage: string; importance: number; ownerId: string },
  after: { stage: string; importance: number; ownerId: string },
): boolean {
  const important = (c: { stage: string; importance: number }) => c.stage === 'strategic' || c.importance === 5;
  return important(before) || important(after) || before.ownerId !== after.ownerId;
}

/**
 * The version a write expects, from If-Match ("3" or W/"3") or the body. Undefined when neither
 * is given; 'conflicting' when both are given and disagree.
 */
export function expectedVersion(ifMatch: string | undefined, bodyVersion: number | undefined): number | undefined | 'conflicting' {
  // At most 64 characters, and a version a PostgreSQL integer can hold: anything else is malformed.
  const match = ifMatch === undefined || ifMatch.length > 64 ? undefined : /^\s*(?:W\/)?"(\d{1,10})"\s*$/.exec(ifMatch);
  const fromHeader = match && Number(match[1]) <= INT32_MAX ? Number(match[1]) : undefined;
  if (ifMatch !== undefined && fromHeader === undefined) return 'conflicting';
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) return 'conflicting';
  return fromHeader ?? bodyVersion;
}

export const etagOf = (version: number) => `"${version}"`;

/** Fields a merge takes from one of the customers (the survivor keeps its own name and owner). */
export const MERGEABLE_FIELDS = [
  'shortName',
  'kind',
  'industry',
  'scale',
  'region',
  'landline',
  'source',
  'stage',
  'importance',
  'needs',
  'notes',
  'creditCode',
  'annualRevenue',
  'cooperationSince',
  'potentialScore',
  'tierId',
] as const;
export type MergeableField = (typeof MERGEABLE_FIELDS)[number];

const isEmpty = (value: unknown) =>
  value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0);

/**
 * The merged record: for each field the survivor's value, unless it is empty (then the first
 * merged customer's non-empty one: the more complete value wins) or `choices` names another
 * customer to take it from. Returns the values and where each came from.
 */
export function mergeFields<T extends { id: string } & Record<MergeableField, unknown>>(
  survivor: T,
  merged: T[],
  choices: Partial<Record<MergeableField, string>> = {},
): { values: Record<MergeableField, unknown>; sources: Record<MergeableField, string> } {
  const all = [survivor, ...merged];
  const values = {} as Record<MergeableField, unknown>;
  const sources = {} as Record<MergeableField, string>;
  for (const field of MERGEABLE_FIELDS) {
    const chosen = choices[field] ? all.find((c) => c.id === choices[field]) : undefined;
    const source = chosen ?? (isEmpty(survivor[field]) ? (merged.find((c) => !isEmpty(c[field])) ?? survivor) : survivor);
    values[field] = source[field];
    sources[field] = source.id;
  }
  return { values, sources };
}
