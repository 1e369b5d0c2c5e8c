import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';
import { PiiCipher } from '../../common/crypto/pii-cipher';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { Transactions } from '../../database/transactions';
import { CustomerAccess, type CustomerAccessRow, seesMaskedPii } from '../access';
import { type AuditEntry, AuditService } from '../audit';
import { ContactCodec } from './contact-codec';
import { leavesCustomerUnreachable } from './contact.rules';
import { ContactEntity } from './contact.entity';
import { ContactChanges, ContactsRepository } from './contacts.repository';
import { contactPii, contactSnapshot, toContactDto } from './customer.mapper';
import { CustomersService, duplicateError } from './customers.service';
import { ContactDto, ContactInputDto, MarkContactLeftDto, UpdateContactDto } from './dto/contact.dto';
import { LIMITS } from '../../common/limits';

@Injectable()
export class ContactsService {
  constructor(
    private readonly contacts: ContactsRepository,
    private readonly customers: CustomersService,
    private readonly access: CustomerAccess,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
    private readonly codec: ContactCodec,
    private readonly cipher: PiiCipher,
  ) {}

  async list(caller: AuthUser, customerId: string): Promise<ContactDto[]> {
    const row = await this.access.require(caller, customerId, 'read');
    const contacts = await this.contacts.findByCustomer(customerId);
    await this.customers.auditPiiRead(caller, row, contacts);
    const masked = seesMaskedPii(caller);
    return contacts.map((c) => toContactDto(c, this.cipher, masked));
  }

  /** A new contact; it becomes primary when asked to or when the customer has no primary. */
  async add(caller: AuthUser, customerId: string, dto: ContactInputDto): Promise<ContactDto> {
    return this.withDuplicateCheck(dto, undefined, () =>
      this.transactions.run(async () => {
        await this.access.require(caller, customerId, 'change');
        const existing = await this.contacts.findByCustomer(customerId);
        // The customer's row is locked by require(): of two adds at once, the second counts the first.
        if (existing.length >= LIMITS.contactsPerCustomer) {
          throw new DomainError('LIMIT_REACHED', `A customer has at most ${LIMITS.contactsPerCustomer} contacts; mark one as left or remove duplicates instead`);
        }
        const becomesPrimary = dto.isPrimary === true || !existing.some((c) => c.isPrimary);
        const demoted = becomesPrimary ? await this.contacts.clearPrimary(customerId) : null;
        const id = randomUUID(); // before the insert: the personal data is bound to the row's id
        const [contact] = await this.contacts.insertMany([
          { id, customerId, name: dto.name, position: dto.position ?? null, ...this.codec.encode(dto, id), isPrimary: becomesPrimary },
        ]);
        await this.audit.recordMany([
          ...this.demotionEntry(demoted, existing),
          { action: 'contact.create', entityType: 'contact', entityId: contact.id, after: contactSnapshot(contact, this.cipher), pii: { after: contactPii(contact, this.cipher) } },
        ]);
        return toContactDto(contact, this.cipher, false);
      }),
    );
  }

  async update(caller: AuthUser, contactId: string, dto: UpdateContactDto): Promise<ContactDto> {
    return this.withDuplicateCheck(dto, contactId, () =>
      this.transactions.run(async () => {
        const { contact: current, customer } = await this.visibleContact(caller, contactId);
        if (current.version !== dto.version) {
          throw new DomainError('VERSION_CONFLICT', `The contact was changed meanwhile; the current version is ${current.version}`);
        }
        const changes: ContactChanges = { ...this.codec.encode(dto, current.id) };
        if (dto.name !== undefined) changes.name = dto.name;
        if (dto.position !== undefined) changes.position = dto.position;
        let demoted: ContactEntity | null = null;
        if (dto.isPrimary && !current.isPrimary) {
          if (current.status === 'left') throw new DomainError('UNPROCESSABLE', 'A contact who has left cannot be primary');
          demoted = await this.contacts.clearPrimary(current.customerId);
          changes.isPrimary = true;
        }
        const updated = await this.contacts.update(contactId, current.version, changes);
        if (!updated) throw new DomainError('VERSION_CONFLICT', 'The contact was changed meanwhile');
        await this.audit.recordMany([
          ...this.demotionEntry(demoted, [current]),
          {
            action: 'contact.update',
            entityType: 'contact',
            entityId: contactId,
            before: contactSnapshot(current, this.cipher),
            after: contactSnapshot(updated, this.cipher),
            pii: { before: contactPii(current, this.cipher), after: contactPii(updated, this.cipher) },
          },
        ]);
        await this.customers.auditPiiRead(caller, customer, [updated]);
        return toContactDto(updated, this.cipher, false);
      }),
    );
  }

  /**
   * 原对接人离职: the record stays, marked as left. When the primary leaves and others remain,
   * the caller names the new primary in the same change.
   */
  async markLeft(caller: AuthUser, contactId: string, dto: MarkContactLeftDto): Promise<ContactDto> {
    return this.transactions.run(async () => {
      const { contact: current, customer } = await this.visibleContact(caller, contactId);
      if (current.status === 'left') throw new DomainError('CONTACT_ALREADY_LEFT', 'The contact is already marked as left');
      const all = await this.contacts.findByCustomer(current.customerId);
      if (leavesCustomerUnreachable(current, all)) {
        throw new DomainError('LAST_REACHABLE_CONTACT', 'This is the customer\'s last active contact with a mobile number: add another contact with a mobile first', {
          errors: [{ field: 'contactId', message: 'the customer needs another active contact with a mobile number before this one leaves' }],
        });
      }
      const others = all.filter((c) => c.id !== contactId && c.status === 'active');
      const successor = dto.newPrimaryContactId ? others.find((c) => c.id === dto.newPrimaryContactId) : undefined;
      if (dto.newPrimaryContactId && !successor) {
        throw new DomainError('PRIMARY_CONTACT_REQUIRED', 'newPrimaryContactId must name another active contact of this customer', {
          errors: [{ field: 'newPrimaryContactId', message: 'newPrimaryContactId must name another active contact of this customer' }],
        });
      }
      if (current.isPrimary && others.length > 0 && !successor) {
        throw new DomainError('PRIMARY_CONTACT_REQUIRED', 'The primary contact is leaving: name the new primary contact', {
          errors: [{ field: 'newPrimaryContactId', message: 'newPrimaryContactId is required when the primary contact leaves' }],
        });
      }
      // With no one else left, the departed contact stays primary until a new contact is added.
      const movePrimary = successor !== undefined && (current.isPrimary || dto.newPrimaryContactId !== undefined);
      const demoted = movePrimary ? await this.contacts.clearPrimary(current.customerId) : null;
      const left = await this.contacts.update(contactId, demoted?.id === contactId ? demoted.version : current.version, {
        status: 'left',
        leftAt: new Date(),
      });
      if (!left) throw new DomainError('VERSION_CONFLICT', 'The contact was changed meanwhile');
      const entries: AuditEntry[] = [
        {
          action: 'contact.left',
          entityType: 'contact',
          entityId: contactId,
          before: contactSnapshot(current, this.cipher),
          after: contactSnapshot(left, this.cipher),
          reason: dto.reason,
        },
      ];
      if (movePrimary && successor) {
        const promoted = await this.contacts.update(successor.id, successor.version, { isPrimary: true });
        if (!promoted) throw new DomainError('VERSION_CONFLICT', 'The new primary contact was changed meanwhile');
        entries.push({
          action: 'contact.update',
          entityType: 'contact',
          entityId: successor.id,
          before: contactSnapshot(successor, this.cipher),
          after: contactSnapshot(promoted, this.cipher),
          reason: dto.reason,
        });
        if (demoted && demoted.id !== contactId) {
          entries.push(...this.demotionEntry(demoted, others));
        }
      }
      await this.audit.recordMany(entries);
      await this.customers.auditPiiRead(caller, customer, [left]);
      return toContactDto(left, this.cipher, false);
    });
  }

  /** The contact, if the caller may change its customer; 404 otherwise (contacts of invisible customers do not exist for them). */
  private async visibleContact(caller: AuthUser, contactId: string): Promise<{ contact: ContactEntity; customer: CustomerAccessRow }> {
    const contact = await this.contacts.findById(contactId);
    if (!contact) throw notFound('Contact');
    const customer = await this.access.requireThrough(caller, contact.customerId, 'change', 'Contact');
    return { contact: (await this.contacts.findById(contactId))!, customer };
  }

  private demotionEntry(demoted: ContactEntity | null, previous: ContactEntity[]): AuditEntry[] {
    const before = demoted ? previous.find((c) => c.id === demoted.id) : undefined;
    if (!demoted || !before) return [];
    return [
      {
        action: 'contact.update',
        entityType: 'contact',
        entityId: demoted.id,
        before: contactSnapshot(before, this.cipher),
        after: contactSnapshot(demoted, this.cipher),
      },
    ];
  }

  private withDuplicateCheck<T>(dto: { mobile?: string; email?: string }, contactId: string | undefined, work: () => Promise<T>): Promise<T> {
    const probe = { nameNormalized: '', ...this.codec.lookupHashes(dto.mobile ? [dto.mobile] : [], dto.email ? [dto.email] : []), excludeContactId: contactId };
    return this.customers.refuseDuplicates(probe, async () => {
      if (probe.mobileHashes.length + probe.emailHashes.length > 0) {
        const found = await this.customers.findDuplicates(probe);
        if (found.length > 0) throw duplicateError(found);
      }
      return work();
    });
  }
}
