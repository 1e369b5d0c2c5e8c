import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Records of reads (pii.read) waiting to join the audit chain. A read must leave its record before
 * its answer goes out, but it changes nothing, so it does not take the chain-head lock (which
 * serialises every change across instances and is held through the commit's WAL flush): it inserts
 * one row here. The next append (any change, an auditor's query, or the idle flusher within
 * AUDIT_QUEUE_FLUSH_MS) moves the waiting rows into the chain, ahead of its own entries, under the
 * lock, in the same transaction (AuditRepository.append). The entry keeps its time of reading in
 * `after.readAt`; its occurred_at is the chain's, like every entry's.
 */
@Entity('audit_queue')
export class AuditQueueEntity {
  @PrimaryGeneratedColumn({ type: 'bigint', primaryKeyConstraintName: 'PK_audit_queue' })
  id: string;

  /** The entry as AuditService built it (PendingEntry), chained as it is. */
  @Column({ type: 'jsonb' })
  entry: Record<string, unknown>;
}
