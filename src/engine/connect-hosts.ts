import { WireInstallError } from '../core/errors.js';
import { gatherFacts, type HostFacts } from '../hosts/facts.js';
import type { KnownHostEntry } from '../hosts/known-hosts.js';
import { createLimiter } from '../hosts/limiter.js';
import { connectSsh, type SshConnectOptions } from '../hosts/ssh-host.js';
import type { RemoteHost, SshTarget } from '../hosts/types.js';
import type { DebugLog } from './debug-log.js';
import type { EmitEvent } from './events.js';

/**
 * Connects to every host of the run at once (up to the concurrency limit), one connection per
 * host for the whole run, and gathers each host's facts in one round trip. Connection errors
 * (refused, timed out, reset) are retried a bounded number of times with backoff: a host that
 * is still booting gets a moment. Authentication and host-key failures are not retried.
 */
const RETRYABLE = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

export interface ConnectOptions {
  knownHosts: readonly KnownHostEntry[];
  /** The files knownHosts came from, named when a key is refused. */
  knownHostsFiles: readonly string[];
  concurrency: number;
  /** Delays before each retry of a connection error; default 0.5 s then 1.5 s. */
  retryDelaysMs?: readonly number[];
  connectTimeoutMs?: number;
  /** Trust on first use for this host, or undefined to refuse unknown keys. */
  trustFor: (host: string) => SshConnectOptions['trustOnFirstUse'];
  log: DebugLog;
  emit: EmitEvent;
  signal: AbortSignal;
}

export interface ConnectedHosts {
  hosts: Map<string, RemoteHost>;
  facts: Map<string, HostFacts>;
  failures: { host: string; error: unknown }[];
  closeAll(): void;
}

function retryable(error: unknown): boolean {
  const cause = error instanceof WireInstallError ? error.cause : error;
  return RETRYABLE.has((cause as NodeJS.ErrnoException | undefined)?.code ?? '');
}

async function connectWithRetry(target: SshTarget, options: ConnectOptions): Promise<RemoteHost> {
  const delays = options.retryDelaysMs ?? [500, 1500];
  for (let attempt = 0; ; attempt += 1) {
    try {
      const trust = options.trustFor(target.name);
      return await connectSsh(target, {
        knownHosts: options.knownHosts,
        knownHostsFiles: options.knownHostsFiles,
        ...(options.connectTimeoutMs ? { connectTimeoutMs: options.connectTimeoutMs } : {}),
        ...(trust ? { trustOnFirstUse: trust } : {}),
      });
    } catch (error) {
      const delay = delays[attempt];
      if (delay === undefined || !retryable(error) || options.signal.aborted) throw error;
      options.log.write(`${target.name} connect failed (${(error as Error).message}); retry in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

export async function connectHosts(
  targets: readonly SshTarget[],
  options: ConnectOptions,
): Promise<ConnectedHosts> {
  const hosts = new Map<string, RemoteHost>();
  const facts = new Map<string, HostFacts>();
  const failures: { host: string; error: unknown }[] = [];
  const limit = createLimiter(Math.max(1, options.concurrency));
  await Promise.all(
    targets.map((target) =>
      limit(async () => {
        const started = performance.now();
        try {
          const host = options.log.wrap(await connectWithRetry(target, options));
          hosts.set(target.name, host);
          facts.set(target.name, await gatherFacts(host));
          const ms = Math.round(performance.now() - started);
          options.log.write(`${target.name} connected and facts gathered in ${ms} ms`);
          options.emit({ type: 'host-connected', host: target.name, ms });
        } catch (error) {
          failures.push({ host: target.name, error });
          options.log.write(`${target.name} unreachable: ${(error as Error).message}`);
          options.emit({ type: 'host-unreachable', host: target.name, error: (error as Error).message });
        }
      }),
    ),
  );
  return {
    hosts,
    facts,
    failures,
    closeAll: () => {
      for (const host of hosts.values()) host.close();
    },
  };
}
