// JUnit XML, written once for every command that reports to CI (regress, mutate): suites, cases, properties and
// outcomes as data in, XML out. It knows nothing about what a case tested.
import { create } from 'xmlbuilder2';

/** One test case and how it ended. */
export interface JunitCase {
  readonly classname: string;
  readonly name: string;
  readonly seconds: number;
  /** A failure, an error or a skip (a passing case has none). */
  readonly outcome?: { readonly kind: 'failure' | 'error' | 'skipped'; readonly type?: string; readonly message: string; readonly text?: string };
  readonly properties?: Readonly<Record<string, string>>;
  /** Its system-out. */
  readonly out?: string;
}

/** One suite of cases. */
export interface JunitSuite {
  /** The <testsuites> name and the <testsuite> name. */
  readonly suites: string;
  readonly name: string;
  readonly timestamp: string;
  readonly hostname: string;
  readonly properties: Readonly<Record<string, string>>;
  readonly cases: readonly JunitCase[];
  /** Total seconds (default: the cases' sum). */
  readonly seconds?: number;
}

/** The suite as JUnit XML (characters XML cannot hold are dropped). */
export function junitXml(s: JunitSuite): string {
  const count = (k: 'failure' | 'error' | 'skipped') => s.cases.filter((c) => c.outcome?.kind === k).length;
  const time = (s.seconds ?? s.cases.reduce((a, c) => a + c.seconds, 0)).toFixed(3);
  const attrs = { tests: s.cases.length, failures: count('failure'), errors: count('error'), skipped: count('skipped'), time };
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' });
  const ts = doc.ele('testsuites', { name: s.suites, ...attrs }).ele('testsuite', { name: s.name, ...attrs, timestamp: s.timestamp, hostname: s.hostname });
  const props = ts.ele('properties');
  for (const [name, value] of Object.entries(s.properties)) props.ele('property', { name, value });
  for (const c of s.cases) {
    const tc = ts.ele('testcase', { classname: c.classname, name: c.name, time: c.seconds.toFixed(3) });
    if (c.properties && Object.keys(c.properties).length) {
      const p = tc.ele('properties');
      for (const [name, value] of Object.entries(c.properties)) p.ele('property', { name, value });
    }
    const o = c.outcome;
    if (o) {
      const el = tc.ele(o.kind, { ...(o.kind !== 'skipped' && o.type ? { type: o.type } : {}), message: o.message });
      if (o.text) el.txt(o.text);
    }
    if (c.out !== undefined) tc.ele('system-out').txt(c.out);
  }
  return doc.end({ prettyPrint: true }) + '\n';
}
