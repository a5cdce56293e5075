import type { RemoteHost } from '../../hosts/types.js';

/**
 * TCP connection probes run ON a host, with nothing but bash and coreutils (a fresh Ubuntu has
 * no nc): `timeout 3 bash -c '</dev/tcp/ADDR/PORT'`. All of one host's probes go in ONE command
 * and run concurrently inside it, so a host costs one round trip and at most the probe timeout,
 * however many ports it checks (twenty hosts with twenty probes each stay a few seconds).
 */

export const PROBE_TIMEOUT_SECONDS = 3;

export interface TcpTarget {
  address: string;
  port: number;
}

/**
 * open: something accepted. refused: the host answered with a reset, so nothing blocks the path
 * but nothing listens (or a firewall REJECTs with a reset). timed-out: no answer at all, what a
 * firewall that DROPs looks like (ufw's default, cloud security groups). unreachable: the
 * probing host has no route (or its own firewall rejects with an ICMP error).
 */
export type ProbeOutcome = 'open' | 'refused' | 'timed-out' | 'unreachable';

export interface ProbeResult extends TcpTarget {
  outcome: ProbeOutcome;
  /** What bash said, for the evidence (e.g. "connect: No route to host"). */
  detail: string;
}

const SAFE_ADDRESS = /^[A-Za-z0-9.:_-]+$/;

/**
 * The script: one background probe per target, each printing `INDEX EXIT-CODE MESSAGE` on one
 * line (a single short write, so concurrent lines do not interleave), then `wait`.
 */
export function probeScript(targets: readonly TcpTarget[]): string {
  const lines = [
    'p() {',
    `  out=$(timeout ${PROBE_TIMEOUT_SECONDS} bash -c "</dev/tcp/$2/$3" 2>&1); rc=$?`,
    `  printf '%s %s %s\\n' "$1" "$rc" "$(printf '%s' "$out" | tr '\\n' ' ')"`,
    '}',
  ];
  targets.forEach((target, index) => {
    if (!SAFE_ADDRESS.test(target.address)) throw new Error(`not an address to probe: ${target.address}`);
    if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535)
      throw new Error(`not a port to probe: ${target.port}`);
    lines.push(`p ${index} ${target.address} ${target.port} &`);
  });
  lines.push('wait', '');
  return lines.join('\n');
}

/** One probe's exit code and message as an outcome (timeout's 124 is a probe that got no answer). */
export function classifyProbe(exitCode: number, message: string): ProbeOutcome {
  if (exitCode === 0) return 'open';
  if (exitCode === 124) return 'timed-out';
  if (/refused/i.test(message)) return 'refused';
  return 'unreachable';
}

/** The script's output, in the targets' order; a target with no line (the script was cut short) is unreachable. */
export function parseProbeOutput(targets: readonly TcpTarget[], stdout: string): ProbeResult[] {
  const lines = new Map<number, { exitCode: number; message: string }>();
  for (const line of stdout.split('\n')) {
    const match = /^(\d+) (\d+) ?(.*)$/.exec(line);
    if (match) lines.set(Number(match[1]), { exitCode: Number(match[2]), message: (match[3] ?? '').trim() });
  }
  return targets.map((target, index) => {
    const line = lines.get(index);
    if (!line) return { ...target, outcome: 'unreachable', detail: 'the probe printed nothing' };
    // bash says it twice ("bash: connect: Connection refused bash: line 1: /dev/tcp/...: Connection
    // refused"): keep what the kernel said, the last part.
    const detail = line.message.split(': ').at(-1)?.trim() || (line.exitCode === 124 ? 'no answer' : '');
    return { ...target, outcome: classifyProbe(line.exitCode, line.message), detail };
  });
}

/** Probes every target from `host`, in one command. */
export async function probeFrom(
  host: RemoteHost,
  targets: readonly TcpTarget[],
  signal?: AbortSignal,
): Promise<ProbeResult[]> {
  if (targets.length === 0) return [];
  const result = await host.exec('bash -s', {
    stdin: probeScript(targets),
    timeoutMs: (PROBE_TIMEOUT_SECONDS + 12) * 1000,
    ...(signal ? { signal } : {}),
  });
  // The script itself did not run (bash missing, sudo refused): no probe's verdict, not "no route".
  if (result.exitCode !== 0 && !/^\d+ \d+/m.test(result.stdout))
    throw new Error(
      `the probe script exited ${result.exitCode} before probing\n${result.stderr.trim().split('\n').slice(-5).join('\n')}`,
    );
  return parseProbeOutput(targets, result.stdout);
}
