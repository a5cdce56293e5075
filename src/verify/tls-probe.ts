import type { X509Certificate } from 'node:crypto';
import { connect, type TLSSocket } from 'node:tls';
import { fenceRefusal } from '../hosts/network-fence.js';
import type { IngressEndpoint } from './ingress-endpoint.js';

/**
 * The certificate the ingress serves for `servername` (TLS SNI), read with node:tls, as
 * `openssl s_client -servername <name>` shows it (docs/wire/health-and-ports.md#health-checks). The chain is not
 * verified here: telling a wrong certificate from a right one is the caller's job, with a
 * message that says which.
 */
export const PROBE_TIMEOUT_MS = 10_000;

/**
 * One TLS session to the ingress for `servername`, read by `read` once it is up (then closed).
 * The chain is never refused here (rejectUnauthorized: false): callers judge it, so a wrong or
 * untrusted certificate becomes a finding with its reason, not a dropped connection.
 */
export function readTlsSession<T>(
  endpoint: IngressEndpoint,
  servername: string,
  read: (socket: TLSSocket) => T | Error,
  options: { ca?: string; timeoutMs?: number } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const fenced = fenceRefusal(endpoint.host);
    if (fenced) {
      reject(new Error(`TLS to ${endpoint.host}:${endpoint.port} (SNI ${servername}) failed: ${fenced}`));
      return;
    }
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      servername,
      ...(options.ca ? { ca: options.ca } : {}),
      rejectUnauthorized: false,
      timeout: timeoutMs,
    });
    const fail = (error: Error) => {
      socket.destroy();
      reject(
        new Error(`TLS to ${endpoint.host}:${endpoint.port} (SNI ${servername}) failed: ${error.message}`),
      );
    };
    socket.once('secureConnect', () => {
      const result = read(socket);
      socket.end();
      if (result instanceof Error) fail(result);
      else resolve(result);
    });
    socket.once('timeout', () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', fail);
  });
}

export function servedCertificate(
  endpoint: IngressEndpoint,
  servername: string,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<X509Certificate> {
  return readTlsSession(
    endpoint,
    servername,
    (socket) => socket.getPeerX509Certificate() ?? new Error('the server sent no certificate'),
    { timeoutMs },
  );
}
