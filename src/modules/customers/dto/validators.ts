import { ValidateBy, ValidationOptions } from 'class-validator';
import { isValidCreditCode, normalizeEmail, normalizeMobile, normalizeWechatId } from '../customer.rules';

/** Raw input lengths: formatting (spaces, dashes, +86) and surrounding blanks leave room over the stored forms. */
export const MOBILE_MAX_LENGTH = 32;
export const EMAIL_MAX_LENGTH = 254;
export const WECHAT_ID_MAX_LENGTH = 32;

const rule = (name: string, test: (value: string) => boolean, message: string, options?: ValidationOptions) =>
  ValidateBy({ name, validator: { validate: (value) => typeof value === 'string' && test(value), defaultMessage: () => message } }, options);

export const IsMobile = (options?: ValidationOptions) =>
  rule('isMobile', (v) => v.length <= MOBILE_MAX_LENGTH && normalizeMobile(v) !== undefined, '$property must be a mainland mobile (1[3-9] and 9 digits, +86 optional) or an E.164 number', options);

export const IsEmailAddress = (options?: ValidationOptions) =>
  rule('isEmailAddress', (v) => v.length <= EMAIL_MAX_LENGTH && normalizeEmail(v) !== undefined, '$property must be an e-mail address', options);

export const IsWechatId = (options?: ValidationOptions) =>
  rule('isWechatId', (v) => v.length <= WECHAT_ID_MAX_LENGTH && normalizeWechatId(v) !== undefined, '$property must be a WeChat id: 6–20 characters, a letter first, then letters, digits, _ or -', options);

export const IsCreditCode = (options?: ValidationOptions) =>
  rule('isCreditCode', isValidCreditCode, '$property must be an 18-character unified social credit code with a valid check character', options);
