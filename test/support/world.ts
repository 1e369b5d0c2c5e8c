import { randomBytes } from 'node:crypto';
import type { Api, components, TestApp } from './test-app';

export type CreateCustomer = components['schemas']['CreateCustomerDto'];
export type Customer = components['schemas']['CustomerDto'];

export interface Actor {
  api: Api;
  id: string;
  username: string;
}

/** Two departments, two sales users in East and one in West, a manager for each, and one of every other role. */
export interface World {
  east: string;
  west: string;
  salesEast1: Actor;
  salesEast2: Actor;
  salesWest: Actor;
  managerEast: Actor;
  managerWest: Actor;
  service: Actor;
  marketing: Actor;
  auditor: Actor;
  admin: Actor;
}

export async function buildWorld(t: TestApp): Promise<World> {
  const east = await t.department('East');
  const west = await t.department('West');
  const admin = await t.admin();
  const adminId = (await admin.GET('/api/v1/auth/me')).data!.id;
  return {
    east,
    west,
    salesEast1: await t.userClient('sales', { departmentId: east }),
    salesEast2: await t.userClient('sales', { departmentId: east }),
    salesWest: await t.userClient('sales', { departmentId: west }),
    managerEast: await t.userClient('manager', { departmentId: east }),
    managerWest: await t.userClient('manager', { departmentId: west }),
    service: await t.userClient('service', { departmentId: east }),
    marketing: await t.userClient('marketing', { departmentId: east }),
    auditor: await t.userClient('auditor', { departmentId: west }),
    admin: { api: admin, id: adminId, username: 'admin' },
  };
}

let sequence = 0;

/** A valid new customer with a fresh name, mobile and e-mail unless given. */
export function newCustomer(overrides: Partial<CreateCustomer> = {}): CreateCustomer {
  sequence += 1;
  const n = `${Date.now() % 100000}${sequence}`.padStart(8, '0').slice(-8);
  return {
    name: `测试客户 ${randomBytes(3).toString('hex')} 有限公司`,
    kind: 'organization',
    source: 'exhibition',
    stage: 'prospect',
    industry: '制造业',
    contacts: [{ name: '张伟', position: '采购经理', mobile: `139${n}`, email: `buyer.${n}@example.com`, wechatId: `wx_buyer_${n}` }],
    ...overrides,
  };
}

export async function createCustomer(actor: Actor, overrides: Partial<CreateCustomer> = {}): Promise<Customer> {
  const { data, error } = await actor.api.POST('/api/v1/customers', { body: newCustomer(overrides) });
  if (!data) throw new Error(`create customer: ${JSON.stringify(error)}`);
  return data;
}
