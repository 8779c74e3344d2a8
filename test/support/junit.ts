// JUnit validation for tests: xmllint (libxml2-utils) against the schema CI systems read (test/support/junit.xsd).
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

/** Fails the test unless `file` is valid JUnit XML; fails clearly when xmllint is missing. */
export function validateJunit(file: string): void {
  const r = spawnSync('xmllint', ['--noout', '--schema', 'test/support/junit.xsd', file], { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is needed to validate JUnit (apt-get install libxml2-utils): ${r.error.message}`);
  expect(r.status, r.stderr).toBe(0);
}
