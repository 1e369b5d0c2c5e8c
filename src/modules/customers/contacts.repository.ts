import { Injectable } from '@nestjs/common';
import { Transactions } from '../../database/transactions';
import { updateVersioned } from '../../database/versioned-update';
import { ContactEntity } from './contact.entity';

export type ContactChanges = Partial<Omit<ContactEntity, 'id' | 'customerId' | 'version' | 'createdAt' | 'updatedAt' | 'customer'>>;

@Injectable()
export class ContactsRepository {
  constructor(private readonly transactions: Transactions) {}

  private get repo() {
    return this.transactions.manager.getRepository(ContactEntity);
  }

  /** The ids are given: personal data is encrypted bound to the row's id before it is stored. */
  insertMany(contacts: (ContactChanges & { id: string; customerId: string })[]): Promise<ContactEntity[]> {
    return this.repo.save(contacts.map((c) => this.repo.create(c)));
  }

  findById(id: string): Promise<ContactEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** Primary first, then active before left, then by name. */
  findByCustomer(customerId: string): Promise<ContactEntity[]> {
    return this.repo
      .createQueryBuilder('k')
      .where('k.customer_id = :customerId', { customerId })
      .orderBy('k.is_primary', 'DESC')
      .addOrderBy('k.status', 'ASC')
      .addOrderBy('k.name', 'ASC')
      .addOrderBy('k.id', 'ASC')
      .getMany();
  }

  /** The primary contact of each customer, in one query. */
  primaryOf(customerIds: string[]): Promise<ContactEntity[]> {
    if (customerIds.length === 0) return Promise.resolve([]);
    return this.repo.createQueryBuilder('k').where('k.customer_id = ANY(:ids) AND k.is_primary', { ids: customerIds }).getMany();
  }

  async update(id: string, version: number, changes: ContactChanges): Promise<ContactEntity | null> {
    return (await updateVersioned(this.repo, id, version, changes)) ? this.findById(id) : null;
  }

  /** The unique index allows one primary per customer, so the old one steps down first. */
  async clearPrimary(customerId: string): Promise<ContactEntity | null> {
    const current = await this.repo.findOneBy({ customerId, isPrimary: true });
    if (!current) return null;
    return this.update(current.id, current.version, { isPrimary: false });
  }
}
