import type { Finding } from '../core/finding.js';
import type { Output } from '../core/output.js';
import { cutLongRuns } from '../core/shown-value.js';
import type { KeyPath, Position } from '../core/yaml-positions.js';

export interface FindingLocation {
  file: string;
  locate(path: KeyPath): Position | undefined;
}

/** `inventory.yaml:31:7` for a finding that points at a key, or just the file. */
export function findingWhere(finding: Finding, location?: FindingLocation): string | undefined {
  if (!location) return undefined;
  const position = finding.path ? location.locate(finding.path) : undefined;
  return position ? `${location.file}:${position.line}:${position.column}` : location.file;
}

/** One finding as the lines a person reads: where, severity, rule, message, values, fix. */
export function formatFinding(finding: Finding, output: Output, location?: FindingLocation): string[] {
  const c = output.color;
  const label = finding.severity === 'error' ? c.red('error') : c.yellow('warning');
  const where = findingWhere(finding, location);
  const host = finding.host ? ` [${finding.host}]` : '';
  const lines = [`${where ? `${where}: ` : ''}${label} ${c.bold(finding.rule)}${host}: ${finding.message}`];
  if (finding.measured !== undefined || finding.required !== undefined) {
    const parts = [
      finding.measured !== undefined ? `found ${finding.measured}` : undefined,
      finding.required !== undefined ? `required ${finding.required}` : undefined,
    ].filter(Boolean);
    lines.push(`    ${parts.join('; ')}`);
  }
  lines.push(`    ${c.cyan('fix:')} ${finding.fix}`);
  // Rules quote what they found (an address, a name): a huge value is cut, with its size.
  return lines.map(cutLongRuns);
}

/**
 * Prints findings (errors first) as text, or as one {type:'finding'} record each with --json.
 * By default they go to stderr, as diagnostics beside what a command produces on stdout (a plan
 * stays clean when redirected); init's review, where the findings are the result, uses stdout.
 */
export function renderFindings(
  findings: readonly Finding[],
  output: Output,
  location?: FindingLocation,
  stream: 'stdout' | 'stderr' = 'stderr',
): void {
  const print = stream === 'stdout' ? output.line : output.errorLine;
  const sorted = [...findings].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
  for (const finding of sorted) {
    output.data({ type: 'finding', ...finding, where: findingWhere(finding, location) });
    for (const line of formatFinding(finding, output, location)) print(line);
  }
}
