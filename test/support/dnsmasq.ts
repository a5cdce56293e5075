import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolverLookup } from '../../src/preflight/dns.js';

/**
 * A real DNS server for tests: dnsmasq on 127.0.0.1 at a free port, authoritative for `domain`
 * and answering only from the records given (no upstream, no /etc/hosts, no resolv.conf), so
 * nothing leaves this machine. Stop it with stop().
 */
export interface TestDns {
  /** "127.0.0.1:<port>", for --dns-server. */
  server: string;
  stop(): void;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** Records beside the A records: TXT (each a list of strings) and SRV. */
export interface ExtraRecords {
  txt?: Record<string, string[]>;
  srv?: { name: string; target: string; port: number; priority?: number; weight?: number }[];
}

export async function startDnsmasq(
  domain: string,
  records: Record<string, string>,
  extra: ExtraRecords = {},
): Promise<TestDns> {
  const port = await freeLoopbackPort();
  const server = `127.0.0.1:${port}`;
  const dnsmasq: ChildProcess = spawn(
    'dnsmasq',
    [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      // Authoritative for the domain: an unknown name is NXDOMAIN, not refused.
      `--local=/${domain}/`,
      `--port=${port}`,
      '--pid-file=',
      ...Object.entries(records).map(([name, address]) => `--host-record=${name},${address}`),
      ...Object.entries(extra.txt ?? {}).map(([name, texts]) => `--txt-record=${[name, ...texts].join(',')}`),
      ...(extra.srv ?? []).map(
        (srv) => `--srv-host=${srv.name},${srv.target},${srv.port},${srv.priority ?? 0},${srv.weight ?? 10}`,
      ),
    ],
    { stdio: 'ignore' },
  );
  const stop = () => {
    dnsmasq.kill();
  };
  // Ready when it answers (NXDOMAIN is an answer).
  const lookup = resolverLookup(server);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    try {
      await lookup(`probe.${domain}`);
      return { server, stop };
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOTFOUND') return { server, stop };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  stop();
  throw new Error('dnsmasq did not answer');
}
