import { JobScheduler } from '../src/common/jobs/job-scheduler';
import { startTestApp, TestApp } from './support/test-app';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

describe('scheduled jobs across instances', () => {
  it('runs the daily dormancy sweep once per day, however many instances tick at once', async () => {
    const instances = [t.app, await t.anotherInstance(), await t.anotherInstance()];
    const sweeps = (runs: string[][]) => runs.flat().filter((name) => name === 'customers.dormancy-sweep');
    const ran = await Promise.all(instances.map((app) => app.get(JobScheduler).tick()));
    expect(sweeps(ran)).toEqual(['customers.dormancy-sweep']);
    // Every job ran exactly once across the three instances.
    expect(new Set(ran.flat()).size).toBe(ran.flat().length);
    // Ticking again within the day runs nothing anywhere.
    const again = await Promise.all(instances.map((app) => app.get(JobScheduler).tick()));
    expect(sweeps(again)).toEqual([]);
    const { rows } = await t.db.query(
      `SELECT last_started_at IS NOT NULL AS started, last_finished_at IS NOT NULL AS finished, last_result FROM scheduled_jobs WHERE name = 'customers.dormancy-sweep'`,
    );
    expect(rows).toEqual([{ started: true, finished: true, last_result: { changed: 0 } }]);
    // A day later it is due again.
    await t.db.query(`UPDATE scheduled_jobs SET last_started_at = now() - interval '25 hours' WHERE name = 'customers.dormancy-sweep'`);
    expect(sweeps([await instances[1].get(JobScheduler).tick()])).toEqual(['customers.dormancy-sweep']);
  });
});
