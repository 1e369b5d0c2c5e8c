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

  it('gives a failed run back, so that the next tick runs it again, instead of waiting for its next period', async () => {
    const scheduler = t.app.get(JobScheduler);
    let fail = true;
    scheduler.register({ name: 'test.flaky', everySeconds: 24 * 60 * 60, run: async () => {
      if (fail) throw new Error('the database went away');
      return { ok: true };
    } });
    expect(await scheduler.tick()).not.toContain('test.flaky');
    const { rows } = await t.db.query(`SELECT last_started_at, last_finished_at FROM scheduled_jobs WHERE name = 'test.flaky'`);
    expect(rows).toEqual([{ last_started_at: null, last_finished_at: null }]);
    fail = false;
    expect(await scheduler.tick()).toContain('test.flaky');
    expect(await scheduler.tick()).not.toContain('test.flaky');
  });

  it('lets another instance take over a claim whose instance died, but not a live one', async () => {
    const scheduler = t.app.get(JobScheduler);
    let runs = 0;
    scheduler.register({ name: 'test.daily', everySeconds: 24 * 60 * 60, run: async () => ({ run: (runs += 1) }) });
    // Claimed a minute ago by an instance that is still running it: not ours to take.
    await t.db.query(`INSERT INTO scheduled_jobs (name, last_started_at, last_finished_at) VALUES ('test.daily', now() - interval '1 minute', now() - interval '25 hours')`);
    expect(await scheduler.tick()).not.toContain('test.daily');
    // Claimed 11 minutes ago and neither finished nor renewed since: that instance died.
    await t.db.query(`UPDATE scheduled_jobs SET last_started_at = now() - interval '11 minutes' WHERE name = 'test.daily'`);
    expect(await scheduler.tick()).toContain('test.daily');
    expect(runs).toBe(1);
    // Finished 11 minutes ago: done for the day, not a dead claim.
    await t.db.query(`UPDATE scheduled_jobs SET last_started_at = now() - interval '11 minutes', last_finished_at = now() - interval '10 minutes' WHERE name = 'test.daily'`);
    expect(await scheduler.tick()).not.toContain('test.daily');
  });
});
