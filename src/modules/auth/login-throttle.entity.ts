import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed logins per username, kept in the database so every instance behind a load balancer
 * sees the same count. Unknown usernames are counted too, so a lock says nothing about existence.
 */
@Entity('login_throttle')
export class LoginThrottleEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  username: string;

  @Column({ type: 'int' })
  failures: number;

  @Column({ name: 'last_failure_at', type: 'timestamptz' })
  lastFailureAt: Date;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;
}
