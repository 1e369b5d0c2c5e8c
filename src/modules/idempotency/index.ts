export { IdempotencyModule } from './idempotency.module';
export { IdempotencyService } from './idempotency.service';
export { Idempotent, IDEMPOTENT_REPLAY_HEADERS } from './idempotent.decorator';
