import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Login attempts that count against a sliding window, kept in the database so that every instance
 * behind a load balancer sees the same counts. A row is taken before the password is checked and
 * deleted when the login succeeds, so what stays are the failures (and the attempts in flight).
 * The username is kept only as a keyed fingerprint: people type passwords into the username box.
 */
@Entity('login_attempts')
@Index('ix_login_attempts_address', ['address', 'attemptedAt'])
@Index('ix_login_attempts_username_address', ['usernameFingerprint', 'address', 'attemptedAt'])
@Index('ix_login_attempts_attempted_at', ['attemptedAt'])
export class LoginAttemptEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** HMAC-SHA-256 (hex) of the normalised username, keyed from the service's secrets. */
  @Column({ name: 'username_fingerprint', type: 'char', length: 64 })
  usernameFingerprint: string;

  /** The client address as the service sees it (see TRUST_PROXY). */
  @Column({ type: 'varchar', length: 64 })
  address: string;

  @Column({ name: 'attempted_at', type: 'timestamptz', default: () => 'now()' })
  attemptedAt: Date;
}
