/**
 * The audit phase in a process of its own, so that it runs beside the customer phase: it needs
 * nothing those rows hold (the generator recomputes them), and its CPU work (canonical JSON and
 * SHA-256 for every entry) would otherwise stall the other phase's Node side.
 * Started by seed-scale.ts with fork(); gets its job in the first IPC message.
 */
import { Client } from 'pg';
import { PiiCipher } from '../../src/common/crypto/pii-cipher';
import { seedAudit } from './audit';
import type { Reference } from './bulk';
import type { SeedWorld } from './model';

export interface AuditJob {
  url: string;
  dataKey: string;
  world: SeedWorld;
  reference: Reference;
  target: number;
  batch: number;
}

export type AuditMessage = { progress: number } | { done: { entries: number; firstId: string; lastId: string } } | { error: string };

process.once('message', (job: AuditJob) => {
  void (async () => {
    const db = new Client({ connectionString: job.url, application_name: 'crm-seed-scale-audit' });
    await db.connect();
    try {
      await db.query(`SET synchronous_commit = off`);
      const done = await seedAudit(db, job.world, job.reference, new PiiCipher(job.dataKey), job.target, job.batch, (progress) => process.send!({ progress }));
      process.send!({ done });
    } finally {
      await db.end();
    }
  })().then(
    () => process.disconnect(),
    (error: unknown) => {
      process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.disconnect();
      process.exitCode = 1;
    },
  );
});
