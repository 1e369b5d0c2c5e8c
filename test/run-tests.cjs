#!/usr/bin/env node
/**
 * `npm test`: jest in two phases on one embedded PostgreSQL each.
 *
 * The files in HEAVY measure the service under load (memory while exporting 200,000 audit entries,
 * ten concurrent 20 MB uploads, plans over 50,000 seeded customers, the contract fuzzer). Run beside
 * each other, or beside the other files, on a 2-core machine they starve one another (the CI run of
 * 2026-12-02 took 486 s for the audit export beside the uploads, and ordinary files timed out in
 * their set-up). So the other files run first, two at a time, and the heavy ones after them, one at
 * a time, each with the machine to itself.
 *
 * With arguments (`npm test -- test/users.e2e-spec.ts`, `-t '…'`) it is one plain jest run over
 * every file, the arguments passed through.
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const HEAVY = [
  'test/audit-export.e2e-spec.ts',
  'test/attachments.e2e-spec.ts',
  'test/explain.e2e-spec.ts',
  'test/contract-fuzz.e2e-spec.ts',
];

const root = path.resolve(__dirname, '..');
const jest = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const escape = (file) => file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function run(args) {
  const outcome = spawnSync(process.execPath, ['--experimental-vm-modules', jest, ...args], { cwd: root, stdio: 'inherit' });
  if (outcome.error) throw outcome.error;
  return outcome.status ?? 1;
}

const passed = process.argv.slice(2);
if (passed.length > 0) process.exit(run(passed));

console.log(`== tests, two at a time (all but ${HEAVY.length} heavy files)`);
const light = run(['--testPathIgnorePatterns', '/node_modules/', ...HEAVY.map(escape)]);
console.log('== heavy tests, one at a time');
const heavy = run(['--runInBand', ...HEAVY.map(escape)]);
process.exit(light !== 0 ? light : heavy);
