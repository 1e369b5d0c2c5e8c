import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { PiiCipher } from '../src/common/crypto/pii-cipher';
import { contactPiiPlace } from '../src/modules/customers/contact-codec';
import { DataKeyRotationService } from '../src/modules/customers/data-key-rotation.service';
import { DATA_KEY, startTestApp, TestApp } from './support/test-app';
import { buildWorld, createCustomer, newCustomer, World } from './support/world';

/** The key being rotated away from: the service holds it as CRM_DATA_KEY_PREVIOUS. */
const OLD_KEY = 'a1'.repeat(32);

let t: TestApp;
let w: World;
beforeAll(async () => {
  t = await startTestApp({ CRM_DATA_KEY: DATA_KEY, CRM_DATA_KEY_PREVIOUS: OLD_KEY });
  w = await buildWorld(t);
});
afterAll(() => t.close());

const current = new PiiCipher(DATA_KEY);
const old = new PiiCipher(OLD_KEY);

type Sealed = { id: string; mobile_enc: string; mobile_hash: Buffer; email_enc: string; email_hash: Buffer; wechat_enc: string; version: number };
const stored = async (contactId: string): Promise<Sealed> => (await t.db.query(`SELECT * FROM contacts WHERE id = $1`, [contactId])).rows[0];

/** A value as the first format stored it: base64 of iv || tag || ciphertext, no key id, bound to nothing. */
function unboundPayload(hexKey: string, plaintext: string): string {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(hexKey, 'hex'), Buffer.alloc(0), 'crm-pii-encryption', 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

describe('personal data bound to its place', () => {
  it('stores each value under the key id, bound to its contact and column', async () => {
    const customer = await createCustomer(w.salesEast1);
    const contact = customer.contacts[0];
    const row = await stored(contact.id);
    for (const column of ['mobile_enc', 'email_enc', 'wechat_enc'] as const) expect(row[column].startsWith(`${current.keyId}:`)).toBe(true);
    expect(current.decrypt(row.mobile_enc, contactPiiPlace(contact.id, 'mobile'))).toBe(contact.mobile);
    expect(() => current.decrypt(row.mobile_enc, contactPiiPlace(contact.id, 'email'))).toThrow();
    expect(contact.unreadableFields).toEqual([]);
  });

  it('shows a value copied from another contact as unreadable (null), and still serves the rest of the record', async () => {
    const source = await createCustomer(w.salesEast1);
    const target = await createCustomer(w.salesEast1);
    const targetContact = target.contacts[0];
    await t.db.query(`UPDATE contacts SET mobile_enc = (SELECT mobile_enc FROM contacts WHERE id = $1) WHERE id = $2`, [source.contacts[0].id, targetContact.id]);

    const read = await w.salesEast1.api.GET('/api/v1/customers/{id}', { params: { path: { id: target.id } } });
    expect(read.response.status).toBe(200);
    const contact = read.data!.contacts[0];
    expect(contact).toMatchObject({ id: targetContact.id, mobile: null, email: targetContact.email, wechatId: targetContact.wechatId, unreadableFields: ['mobile'] });
    const list = await w.salesEast1.api.GET('/api/v1/customers/{id}/contacts', { params: { path: { id: target.id } } });
    expect(list.response.status).toBe(200);
    expect(list.data![0]).toMatchObject({ mobile: null, unreadableFields: ['mobile'] });
    // A masked reader gets the same, not an error.
    const masked = await w.service.api.GET('/api/v1/customers/{id}', { params: { path: { id: target.id } } });
    expect(masked.response.status).toBe(200);
    expect(masked.data!.contacts[0]).toMatchObject({ mobile: null, unreadableFields: ['mobile'] });

    // The legitimate owner of the value still reads it.
    const original = await w.salesEast1.api.GET('/api/v1/customers/{id}', { params: { path: { id: source.id } } });
    expect(original.data!.contacts[0]).toMatchObject({ mobile: source.contacts[0].mobile, unreadableFields: [] });
  });

  it('shows a value moved to another column of the same contact as unreadable', async () => {
    const customer = await createCustomer(w.salesEast1);
    await t.db.query(`UPDATE contacts SET email_enc = mobile_enc WHERE id = $1`, [customer.contacts[0].id]);
    const read = await w.salesEast1.api.GET('/api/v1/customers/{id}/contacts', { params: { path: { id: customer.id } } });
    expect(read.response.status).toBe(200);
    expect(read.data![0]).toMatchObject({ mobile: customer.contacts[0].mobile, email: null, unreadableFields: ['email'] });
  });

  it('still lets the contact be corrected: writing a new value makes it readable again', async () => {
    const source = await createCustomer(w.salesEast1);
    const target = await createCustomer(w.salesEast1);
    await t.db.query(`UPDATE contacts SET email_enc = (SELECT email_enc FROM contacts WHERE id = $1) WHERE id = $2`, [source.contacts[0].id, target.contacts[0].id]);
    const fixed = await w.salesEast1.api.PATCH('/api/v1/contacts/{id}', {
      params: { path: { id: target.contacts[0].id } },
      body: { email: 'fixed.address@example.com', version: target.contacts[0].version },
    });
    expect(fixed.response.status).toBe(200);
    expect(fixed.data).toMatchObject({ email: 'fixed.address@example.com', unreadableFields: [] });
  });
});

describe('rotating the data key while the service runs', () => {
  it('reads values of the old key and of the first format, finds duplicates under either key, then rewrites everything under the new key', async () => {
    const customers = [await createCustomer(w.salesEast1), await createCustomer(w.salesEast1), await createCustomer(w.salesEast2)];
    const contacts = customers.map((c) => c.contacts[0]);
    // As the data stood before: sealed under the old key, or in the first format (no key id, unbound).
    for (const [i, contact] of contacts.entries()) {
      const mobile = contact.mobile!;
      const mobileEnc = i === 2 ? unboundPayload(DATA_KEY, mobile) : old.encrypt(mobile, contactPiiPlace(contact.id, 'mobile'));
      const mobileHash = i === 2 ? current.lookupHash(mobile) : old.lookupHash(mobile);
      await t.db.query(`UPDATE contacts SET mobile_enc = $2, mobile_hash = $3, email_enc = $4, email_hash = $5 WHERE id = $1`, [
        contact.id,
        mobileEnc,
        mobileHash,
        unboundPayload(OLD_KEY, contact.email!),
        old.lookupHash(contact.email!),
      ]);
    }

    for (const customer of customers) {
      const read = await w.managerEast.api.GET('/api/v1/customers/{id}', { params: { path: { id: customer.id } } });
      expect(read.data!.contacts[0]).toMatchObject({ mobile: customer.contacts[0].mobile, email: customer.contacts[0].email, unreadableFields: [] });
    }
    // The duplicate check still finds a number stored under the old key.
    const duplicate = await w.salesEast1.api.POST('/api/v1/customers', { body: newCustomer({ contacts: [{ name: '李雷', mobile: contacts[0].mobile! }] }) });
    expect([duplicate.response.status, duplicate.error?.code]).toEqual([409, 'CUSTOMER_DUPLICATE']);

    const rotation = t.app.get(DataKeyRotationService);
    expect(await rotation.remaining()).toBeGreaterThanOrEqual(3);
    const totals = { rewritten: 0, unreadable: 0, conflicts: 0 };
    let afterId: string | null = null;
    for (;;) {
      const batch = await rotation.rotateBatch(afterId, 2);
      if (batch.lastId === null) break;
      afterId = batch.lastId;
      totals.rewritten += batch.rewritten;
      totals.unreadable += batch.unreadable;
      totals.conflicts += batch.conflicts;
    }
    expect(totals).toEqual({ rewritten: expect.any(Number), unreadable: 0, conflicts: 0 });
    expect(totals.rewritten).toBeGreaterThanOrEqual(3);
    expect(await rotation.remaining()).toBe(0);
    await rotation.recordRotation({ ...totals, remaining: 0 });

    // Everything now opens with the new key alone, bound to its place, and the hashes are the new key's.
    for (const contact of contacts) {
      const row = await stored(contact.id);
      expect(current.decrypt(row.mobile_enc, contactPiiPlace(contact.id, 'mobile'))).toBe(contact.mobile);
      expect(current.decrypt(row.email_enc, contactPiiPlace(contact.id, 'email'))).toBe(contact.email);
      expect(row.mobile_enc.startsWith(`${current.keyId}:`)).toBe(true);
      expect(row.email_hash.equals(current.lookupHash(contact.email!))).toBe(true);
      expect(row.version).toBe(contact.version); // the data did not change
    }
    const recorded = await t.db.query(`SELECT after FROM audit_log WHERE action = 'pii.data_key_rotated'`);
    expect(recorded.rows).toEqual([{ after: { ...totals, remaining: 0 } }]);
    // And the duplicate check still works after the rotation.
    const again = await w.salesEast1.api.POST('/api/v1/customers', { body: newCustomer({ contacts: [{ name: '李雷', mobile: contacts[0].mobile! }] }) });
    expect(again.error?.code).toBe('CUSTOMER_DUPLICATE');
  });

  it('leaves values no configured key opens as they are, and counts them', async () => {
    const customer = await createCustomer(w.salesEast1);
    const stranger = new PiiCipher('0e'.repeat(32));
    await t.db.query(`UPDATE contacts SET wechat_enc = $2 WHERE id = $1`, [customer.contacts[0].id, stranger.encrypt('wx_lost', contactPiiPlace(customer.contacts[0].id, 'wechatId'))]);
    const rotation = t.app.get(DataKeyRotationService);
    let unreadable = 0;
    let afterId: string | null = null;
    for (;;) {
      const batch = await rotation.rotateBatch(afterId, 50);
      if (batch.lastId === null) break;
      afterId = batch.lastId;
      unreadable += batch.unreadable;
    }
    expect(unreadable).toBe(1);
    expect(await rotation.remaining()).toBe(1);
    const read = await w.salesEast1.api.GET('/api/v1/customers/{id}', { params: { path: { id: customer.id } } });
    expect(read.data!.contacts[0]).toMatchObject({ mobile: customer.contacts[0].mobile, wechatId: null, unreadableFields: ['wechatId'] });
  });
});
