import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import type { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.provider';

/**
 * Exports and chain verifications each hold a pooled connection for as long as they stream. A
 * quarter of the pool at most goes to them, so that they never starve the API's other requests.
 */
@Injectable()
export class LongReadSlots {
  private inUse = 0;
  readonly capacity: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.capacity = Math.max(1, Math.floor(config.dbPoolSize / 4));
  }

  /** Takes a slot or refuses at once; the returned function gives it back (once, however often called). */
  take(): () => void {
    if (this.inUse >= this.capacity) {
      throw new DomainError('AUDIT_READS_BUSY', `${this.capacity} audit exports or verifications are running on this instance; retry shortly`, {
        headers: { 'retry-after': '10' },
      });
    }
    this.inUse += 1;
    let returned = false;
    return () => {
      if (returned) return;
      returned = true;
      this.inUse -= 1;
    };
  }
}
