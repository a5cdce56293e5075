import type { Finding } from '../../core/finding.js';
import { findingsCheck } from '../../operations/findings-check.js';
import { runOrFail } from '../../operations/run.js';
import type { Operation } from '../../operations/types.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const sshStep = defineStep({
  id: 'preflight.ssh',
  stage: 'preflight',
  title: 'Connect over SSH: verified host key, sudo works',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: 'all' },
  order: 'parallel',
  why: "Wire's playbooks reach every host over SSH with passwordless sudo or a become password",
  alwaysRun: true,
  operations: () => [sshCheck()],
});

/**
 * Preflight on the hosts: SSH and sudo (connecting already verified the host key), then the
 * measured facts against Wire's rules. Checks only: nothing is changed, and they run on every
 * apply.
 */
function sshCheck(): Operation {
  const run = async (context: Parameters<Operation['check']>[0]) => {
    const result = await runOrFail(context.host, 'checking root through sudo', 'id -u');
    if (result.stdout.trim() !== '0') {
      const finding: Finding = {
        severity: 'error',
        rule: 'preflight.root',
        host: context.host.name,
        message: `${context.host.name}: commands run as uid ${result.stdout.trim()}, not root`,
        fix: 'set ssh.become.enabled: true (sudo) or log in as root',
      };
      return findingsCheck('preflight.ssh', () => [finding]).check(context);
    }
    return { changes: [], notes: [] };
  };
  return { kind: 'check', target: 'ssh and sudo', inputs: { check: 'ssh' }, check: run, apply: run };
}
