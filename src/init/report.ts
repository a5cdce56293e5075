import { relative } from 'node:path';
import type { Output } from '../core/output.js';
import { renderFindings } from '../rules/render-findings.js';
import type { InitPaths, PreparedInventory } from './prepare.js';
import type { WriteResult } from './write.js';

/** What init tells the user: paths as they typed them, the findings, and what was written (never a secret). */

/** A path as the user should read it: relative to where init runs when it is below it. */
export function shown(paths: InitPaths, path: string): string {
  const rel = relative(paths.cwd, path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

export function findingsLine(prepared: PreparedInventory): string {
  const errors = prepared.findings.filter((f) => f.severity === 'error').length;
  const warnings = prepared.findings.length - errors;
  if (prepared.findings.length === 0) return "Wire's rules: no findings.";
  return `Wire's rules: ${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}.`;
}

export function reportWritten(
  output: Output,
  paths: InitPaths,
  prepared: PreparedInventory,
  result: WriteResult,
  reviewed: boolean,
): void {
  const { input } = prepared;
  output.data({
    type: 'init',
    inventory: paths.inventory,
    secrets: paths.secrets,
    secretsStatus: result.secretsStatus,
    findings: prepared.findings,
  });
  const hosts = `${input.hosts.length} ${input.hosts.length === 1 ? 'host' : 'hosts'}`;
  output.line(`Wrote ${shown(paths, paths.inventory)} (${input.mode}, ${input.domain}, ${hosts}).`);
  const secrets = shown(paths, paths.secrets);
  const status = {
    created: `Secrets: created ${secrets} (mode 0600, generated; keep it safe, it is not printed).`,
    kept: `Secrets: kept the existing ${secrets}${result.modeFixed ? ' (its mode was set back to 0600)' : ''}.`,
    completed: `Secrets: kept the existing ${secrets} and added what it lacked (${result.added.join(', ')})${result.modeFixed ? '; its mode was set back to 0600' : ''}.`,
  }[result.secretsStatus];
  output.line(status);
  if (input.ssh?.become?.password)
    output.line(`Before apply, put the sudo password into ${secrets} as ssh.becomePassword.`);
  // The wizard's review already showed the findings.
  if (!reviewed) output.line(findingsLine(prepared));
  const inventory = shown(paths, paths.inventory);
  output.line(
    `Next: wire-install apply --plan --offline --inventory ${inventory}   (the plan; contacts no host)`,
  );
  output.line(`then: wire-install doctor --inventory ${inventory}   (connects to the hosts and checks them)`);
}

/** Findings for people (text); with --json they travel in the `init` record instead. */
export function showFindings(output: Output, prepared: PreparedInventory): void {
  if (output.json) return;
  renderFindings(prepared.findings, output, undefined, 'stdout');
}
