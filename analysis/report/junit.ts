/**
 * `junit.xml`: one test case per check of the report (each SLO bound of each level, each k6
 * threshold, each comparison gate), one test suite per group, so CI systems (GitLab, Jenkins, GitHub
 * test reporters) show them. Built as an xast tree and serialised by xast-util-to-xml, so every
 * data-derived string is escaped by construction.
 */
import type { Element, Root } from 'xast';
import { toXml } from 'xast-util-to-xml';
import { x } from 'xastscript';
import { checksOf, type Check, type Report } from './section.ts';
import { plain } from './text.ts';

export function junitTree(report: Report): Root {
  const bySuite = new Map<string, Check[]>();
  for (const check of checksOf(report)) bySuite.set(check.suite, [...(bySuite.get(check.suite) ?? []), check]);
  const count = (checks: readonly Check[], outcome: Check['outcome']): string => String(checks.filter((c) => c.outcome === outcome).length);
  const all = [...bySuite.values()].flat();
  const suites = [...bySuite].map(
    ([suite, checks]): Element =>
      x(
        'testsuite',
        { name: suite, tests: String(checks.length), failures: count(checks, 'fail'), skipped: count(checks, 'skip'), errors: '0' },
        checks.map((check) =>
          x('testcase', { classname: `k6-capacity.${check.kind}`, name: plain(check.name) }, [
            ...(check.outcome === 'fail' ? [x('failure', { type: check.kind, message: plain(check.message) })] : []),
            ...(check.outcome === 'skip' ? [x('skipped', { message: plain(check.message) })] : []),
            ...(check.outcome === 'pass' ? [x('system-out', plain(check.message))] : []),
          ]),
        ),
      ),
  );
  return {
    type: 'root',
    children: [
      { type: 'instruction', name: 'xml', value: 'version="1.0" encoding="UTF-8"' },
      x('testsuites', { name: report.title, tests: String(all.length), failures: count(all, 'fail'), skipped: count(all, 'skip'), errors: '0' }, suites),
    ],
  };
}

export function renderJunit(report: Report): string {
  return `${toXml(junitTree(report))}\n`;
}
