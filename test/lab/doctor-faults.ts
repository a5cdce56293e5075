import { execFileSync } from 'node:child_process';
import type { LabHost } from './lab-hosts.js';
import { onHost } from './wire-lab.js';

/**
 * Real faults planted on lab hosts for doctor's tests, and their undoing (each test leaves the
 * hosts as it found them: the same hosts serve the next test file in CI).
 */

export const SKEW_SECONDS = 300;

/**
 * A STAND-IN `date` for /usr/local/bin (ahead of /bin on root's PATH): the clock SKEW_SECONDS
 * ahead for the host facts' `date +%s%3N`, every other call handed to /bin/date. Needed because
 * a lab container shares this machine's kernel clock (CLOCK_REALTIME has no namespace).
 */
export const STAND_IN_DATE = `#!/bin/sh
# STAND-IN for date (test/lab/doctor-faults.ts): the clock ${SKEW_SECONDS} s ahead for the host facts'
# \`date +%s%3N\`, because a lab container shares this machine's kernel clock.
if [ "$#" -eq 1 ] && [ "$1" = '+%s%3N' ]; then
  now=$(/bin/date +%s%3N)
  echo $((now + ${SKEW_SECONDS * 1000}))
  exit 0
fi
exec /bin/date "$@"
`;

export const skewClock = (host: LabHost | undefined) =>
  onHost(host, 'cat > /usr/local/bin/date && chmod 755 /usr/local/bin/date', STAND_IN_DATE);
export const unskewClock = (host: LabHost | undefined) => onHost(host, 'rm -f /usr/local/bin/date');

/** An inventory host nothing answers for: loopback port 1, where nothing listens. */
export const UNREACHABLE = 'unreachable1';
export const withUnreachableHost = (inventory: string) =>
  `${inventory.trimEnd()}\n  - { name: ${UNREACHABLE}, address: 127.0.0.1, roles: [kube-worker], ssh: { port: 1 } }\n`;

/** The lab host's network namespace (test/lab/lab.sh: labhostN lives in wil-N). */
const netns = (host: LabHost | undefined) => `wil-${(host?.name ?? '').replace(/^labhost/, '')}`;
const nft = (host: LabHost | undefined, args: string[]) =>
  execFileSync('ip', ['netns', 'exec', netns(host), 'nft', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });

/**
 * A real nftables rule dropping TCP input to `port` on the host, set in its network namespace
 * from this machine (the lab's containers lack CAP_NET_ADMIN).
 */
export function dropPort(host: LabHost | undefined, port: number): void {
  nft(host, ['add', 'table', 'inet', 'doctortest']);
  nft(host, [
    'add',
    'chain',
    'inet',
    'doctortest',
    'input',
    '{ type filter hook input priority 0; policy accept; }',
  ]);
  nft(host, ['add', 'rule', 'inet', 'doctortest', 'input', 'tcp', 'dport', String(port), 'drop']);
}

export function undropPorts(host: LabHost | undefined): void {
  try {
    nft(host, ['delete', 'table', 'inet', 'doctortest']);
  } catch {
    // Not there: nothing to undo.
  }
}
