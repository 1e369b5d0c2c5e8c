/**
 * npm run bench: load against a running instance (npm start in another terminal), with autocannon.
 *   BENCH_URL (default http://localhost:3000), BENCH_USERNAME (admin), BENCH_PASSWORD (or CRM_ADMIN_PASSWORD),
 *   BENCH_CONNECTIONS (20), BENCH_SECONDS (15).
 * Prints one row per scenario: requests per second, p50, p95 (approximated by p97.5) and p99 latency.
 */
import autocannon from 'autocannon';

interface Scenario {
  name: string;
  method?: 'GET' | 'POST';
  path: string;
  body?: string;
}

const env = process.env;
const baseUrl = env.BENCH_URL ?? 'http://localhost:3000';
const connections = Number(env.BENCH_CONNECTIONS ?? 20);
const duration = Number(env.BENCH_SECONDS ?? 15);

async function login(): Promise<string> {
  const password = env.BENCH_PASSWORD ?? env.CRM_ADMIN_PASSWORD;
  if (!password) throw new Error('Set BENCH_PASSWORD (or CRM_ADMIN_PASSWORD) to the password of BENCH_USERNAME');
  const response = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: env.BENCH_USERNAME ?? 'admin', password }),
  });
  if (!response.ok) throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

function run(scenario: Scenario, token: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${baseUrl}${scenario.path}`,
    method: scenario.method ?? 'GET',
    body: scenario.body,
    headers: { authorization: `Bearer ${token}`, ...(scenario.body ? { 'content-type': 'application/json' } : {}) },
    connections,
    duration: seconds,
  });
}

async function main(): Promise<void> {
  const token = await login();
  const scenarios: Scenario[] = [{ name: 'GET /api/v1/auth/me', path: '/api/v1/auth/me' }];
  const rows: string[] = [];
  for (const scenario of scenarios) {
    await run(scenario, token, 3); // warm-up
    const result = await run(scenario, token, duration);
    const errors = result.non2xx + result.errors;
    rows.push(
      `| ${scenario.name} | ${Math.round(result.requests.average)} | ${result.latency.p50} | ${result.latency.p97_5} | ${result.latency.p99} | ${errors} |`,
    );
  }
  console.log(`\n${connections} connections, ${duration} s per scenario, against ${baseUrl}\n`);
  console.log('| scenario | req/s | p50 ms | p97.5 ms | p99 ms | errors |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
