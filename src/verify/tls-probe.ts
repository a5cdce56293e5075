import type { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import type { IngressEndpoint } from './ingress-endpoint.js';

/**
 * The certificate the ingress serves for `servername` (TLS SNI), read with node:tls, as
 * `openssl s_client -servername <name>` shows it (FACTS 8.1 Certificates). The chain is not
 * verified here: telling a wrong certificate from a right one is the caller's job, with a
 * message that says which.
 */
export const PROBE_TIMEOUT_MS = 10_000;

export function servedCertificate(
  endpoint: IngressEndpoint,
  servername: string,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      servername,
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
      const certificate = socket.getPeerX509Certificate();
      socket.end();
      if (certificate) resolve(certificate);
      else fail(new Error('the server sent no certificate'));
    });
    socket.once('timeout', () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', fail);
  });
}
