import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { CustomerEntity } from './customer.entity';

/** Every marketing-consent change, kept with its time and evidence; customers.marketing_consent holds the latest. */
@Entity('customer_consents')
@Check('ck_customer_consents_status', `status IN ('granted', 'withdrawn')`)
@Index('ix_customer_consents_customer', ['customerId', 'recordedAt'])
export class CustomerConsentEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'customer_id', type: 'uuid' })
  customerId: string;

  @ManyToOne(() => CustomerEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'customer_id', foreignKeyConstraintName: 'fk_customer_consents_customer' })
  customer?: CustomerEntity;

  @Column({ type: 'varchar', length: 20 })
  status: 'granted' | 'withdrawn';

  @Column({ type: 'varchar', length: 30 })
  channel: string;

  @Column({ type: 'text' })
  evidence: string;

  @Column({ name: 'recorded_by', type: 'uuid' })
  recordedBy: string;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;
}
