import type { Output } from '../core/output.js';
import { DOCTOR_GROUPS, type DoctorReport, type DoctorResult, type DoctorStatus } from './types.js';

/**
 * Renders a doctor report: `--json` prints the report as one JSON document (its shape is
 * DoctorReport, documented in docs/doctor.md); otherwise a table per group, problems first
 * within a group, each warn and fail followed by its evidence and fix, then one summary line.
 */

export function countResults(results: readonly DoctorResult[]): Record<DoctorStatus, number> {
  const counts: Record<DoctorStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const result of results) counts[result.status] += 1;
  return counts;
}

const ORDER: Record<DoctorStatus, number> = { fail: 0, warn: 1, pass: 2, skip: 3 };

function label(status: DoctorStatus, output: Output): string {
  const text = status.toUpperCase().padEnd(4);
  const { color } = output;
  if (status === 'fail') return color.red.bold(text);
  if (status === 'warn') return color.yellow(text);
  if (status === 'pass') return color.green(text);
  return color.dim(text);
}

/** The text with the host's name as `<host>`, so the same finding on many hosts reads as one. */
function generic(text: string, host: string | undefined): string {
  if (!host) return text;
  const escaped = host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`(?<![\\w.-])${escaped}(?![\\w-])`, 'g'), '<host>');
}

/** Results of one check and status that say the same about several hosts, shown once. */
interface Row {
  result: DoctorResult;
  hosts: string[];
}

function rows(results: readonly DoctorResult[], collapse: boolean): Row[] {
  const out: Row[] = [];
  const byText = new Map<string, Row>();
  for (const result of results) {
    if (!collapse || result.host === undefined) {
      out.push({ result, hosts: result.host ? [result.host] : [] });
      continue;
    }
    const same = JSON.stringify([
      result.check,
      result.status,
      // Passes are the same when they pass; problems when they say the same thing.
      result.status === 'pass' ? '' : generic(result.summary, result.host),
      result.status === 'pass' ? [] : result.evidence.map((line) => generic(line, result.host)),
      result.status === 'pass' ? '' : generic(result.fix ?? '', result.host),
    ]);
    const row = byText.get(same);
    if (row) row.hosts.push(result.host);
    else {
      const fresh = { result, hosts: [result.host] };
      byText.set(same, fresh);
      out.push(fresh);
    }
  }
  return out;
}

function hostsText(hosts: readonly string[]): string {
  if (hosts.length <= 3) return hosts.join(', ');
  return `${hosts.length} hosts (${hosts.slice(0, 2).join(', ')} ... ${hosts.at(-1)})`;
}

export function renderReport(report: DoctorReport, output: Output): void {
  if (output.json) {
    output.data(report as unknown as Record<string, unknown>);
    return;
  }
  // The same result on many hosts is one row (20 hosts x 9 checks would bury the problems);
  // --verbose shows every host's own row and the evidence of passes.
  const collapse = !output.verbose;
  const grouped = DOCTOR_GROUPS.map((group) => ({
    group,
    rows: rows(
      report.results
        .filter((result) => result.group === group)
        .sort((a, b) => ORDER[a.status] - ORDER[b.status]),
      collapse,
    ),
  }));
  const all = grouped.flatMap((entry) => entry.rows);
  const checkWidth = Math.max(...all.map((row) => row.result.check.length), 5);
  const hostWidth = Math.min(Math.max(...all.map((row) => hostsText(row.hosts).length), 1), 40);
  for (const { group, rows: groupRows } of grouped) {
    if (groupRows.length === 0) continue;
    output.line(output.color.bold(group));
    for (const { result, hosts } of groupRows) {
      const many = hosts.length > 1;
      const summary = many
        ? result.status === 'pass'
          ? 'passed on each'
          : generic(result.summary, result.host)
        : result.summary;
      output.line(
        `  ${label(result.status, output)}  ${result.check.padEnd(checkWidth)}  ${hostsText(hosts).padEnd(hostWidth)}  ${summary}`,
      );
      // Evidence for every problem; for a pass only with --verbose (what was measured).
      const detailed = result.status === 'fail' || result.status === 'warn' || output.verbose;
      const text = (line: string) => (many ? generic(line, result.host) : line);
      if (detailed)
        for (const line of result.evidence) output.line(output.color.dim(`        ${text(line)}`));
      if (result.fix && result.status !== 'pass') output.line(`        fix: ${text(result.fix)}`);
      if (many && result.status !== 'pass') output.line(output.color.dim(`        on: ${hosts.join(', ')}`));
    }
    output.line();
  }
  const { counts } = report;
  const seconds = (report.durationMs / 1000).toFixed(1);
  const verdict =
    counts.fail > 0
      ? output.color.red.bold(`${counts.fail} failed`)
      : counts.warn > 0
        ? output.color.yellow('no failures, some warnings')
        : output.color.green('all checks passed');
  output.line(
    `doctor: ${verdict} (${counts.pass} pass, ${counts.warn} warn, ${counts.fail} fail, ${counts.skip} skip) in ${seconds} s`,
  );
}
