import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (memory-hard, about 19 ms a hash here). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verifying against this when the username is unknown keeps both failures equally slow.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    dummyHash ??= hash('no such user: equalise timing');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
