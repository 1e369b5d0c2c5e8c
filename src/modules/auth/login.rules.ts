import { createHmac, hkdfSync, type KeyObject } from 'node:crypto';

/** The same username however it was typed: the form users are stored under. */
export function normalizeUsername(typed: string): string {
  return typed.trim().toLowerCase();
}

/**
 * The key of username fingerprints, derived (HKDF-SHA-256) from the JWT secret: keyed, so that
 * a fingerprint cannot be reversed by hashing guesses without the service's secret.
 */
export function fingerprintKey(secret: KeyObject): Buffer {
  return Buffer.from(hkdfSync('sha256', secret.export(), Buffer.alloc(0), 'crm-api login username fingerprint', 32));
}

/**
 * What is kept of a typed username that names no user (people type passwords into the username
 * box, and the audit log is permanent): HMAC-SHA-256, hex. Someone holding the secret can still
 * check whether a given name was tried.
 */
export function usernameFingerprint(key: Buffer, normalizedUsername: string): string {
  return createHmac('sha256', key).update(normalizedUsername, 'utf8').digest('hex');
}
