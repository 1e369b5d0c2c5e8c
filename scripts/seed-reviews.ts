/**
 * npm run seed:reviews: adds to a data set seeded before `seed:scale` made review rounds (issue 17)
 * the rounds it now makes (scripts/seed/reviews.ts), so that the KPIs' review figures are measured
 * over something. Refuses a data set that already has review rounds. Same data set selection as
 * seed:scale (CRM_DATA_DIR, default .data/scale, or DATABASE_URL / MIGRATION_DATABASE_URL); stop
 * the service first when the data set is embedded.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { loadConfig } from '../src/config/config';
import { DEFAULT_SCALE_DATA_DIR, openDatabase } from './seed/database';
import { seedReviewRounds } from './seed/reviews';

async function main(): Promise<void> {
  const env = { ...process.env };
  if (env.DATABASE_URL === undefined) env.CRM_DATA_DIR ??= DEFAULT_SCALE_DATA_DIR;
  const database = await openDatabase(loadConfig(env));
  const db = new Client({ connectionString: database.url });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM review_rounds');
    if (Number(rows[0].n) > 0) throw new Error(`The data set already has ${rows[0].n} review rounds`);
    const started = Date.now();
    const tasks = await seedReviewRounds(db);
    process.stdout.write(`${tasks.toLocaleString('en')} review tasks in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await db.end();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
