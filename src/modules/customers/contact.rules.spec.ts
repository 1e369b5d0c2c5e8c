import { leavesCustomerUnreachable } from './contact.rules';

const contact = (id: string, status: string, mobile: boolean) => ({ id, status, mobileHash: mobile ? Buffer.from(id) : null });

describe('leavesCustomerUnreachable', () => {
  it('refuses the last active contact with a mobile', () => {
    const leaving = contact('a', 'active', true);
    expect(leavesCustomerUnreachable(leaving, [leaving])).toBe(true);
    expect(leavesCustomerUnreachable(leaving, [leaving, contact('b', 'active', false), contact('c', 'left', true)])).toBe(true);
  });

  it('lets a contact go when another active contact has a mobile', () => {
    const leaving = contact('a', 'active', true);
    expect(leavesCustomerUnreachable(leaving, [leaving, contact('b', 'active', true)])).toBe(false);
  });

  it('lets a contact without a mobile go (the customer is no less reachable)', () => {
    const leaving = contact('a', 'active', false);
    expect(leavesCustomerUnreachable(leaving, [leaving])).toBe(false);
  });
});
