import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/roles';

/**
 * What an edit of a customer by its own owner also means to a module above customers (issue 17:
 * an owner's edit counts as the review an open review task asks for). The module registers its
 * reaction at start-up; the customers module knows none of them. Reactions run inside the edit's
 * transaction, after the change and its audit entry, and must not change the customer's version
 * (the edit already did, once, and answers with that version).
 */
export type OwnerEditReaction = (owner: AuthUser, customerId: string) => Promise<void>;

@Injectable()
export class OwnerEdits {
  private readonly reactions: OwnerEditReaction[] = [];

  register(reaction: OwnerEditReaction): void {
    this.reactions.push(reaction);
  }

  async edited(owner: AuthUser, customerId: string): Promise<void> {
    for (const reaction of this.reactions) await reaction(owner, customerId);
  }
}
