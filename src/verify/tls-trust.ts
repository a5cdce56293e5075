import { checkServerIdentity, connect } from 'node:tls';
import type { Inventory } from '../inventory/defaults.js';
import type { Finding } from '../rules/finding.js';
import type { IngressEndpoint } from './ingress-endpoint.js';
import { PROBE_TIMEOUT_MS } from './tls-probe.js';

/**
 * Whether the chain the ingress serves for `servername` is one a client trusts: it verifies
 * against `ca` (our private CA in self-signed mode) or this machine's roots, and names the
 * host. Matching the configured leaf (served-certificate-findings.ts) is not enough: a served
 * leaf without its intermediate certificates passes that test and fails on phones.
 */
export interface ChainTrust {
  trusted: boolean;
  /** Why not, as OpenSSL or the name check says it. */
  reason: string;
}

export function servedChainTrust(
  endpoint: IngressEndpoint,
  servername: string,
  ca: string | undefined,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ChainTrust> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: endpoint.host,
      port: endpoint.port,
      servername,
      ...(ca ? { ca } : {}),
      // Verified below, so an untrusted chain is a finding with its reason, not a dropped connection.
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
      const identity = checkServerIdentity(servername, socket.getPeerCertificate());
      const authorizationError = socket.authorizationError ? String(socket.authorizationError) : '';
      socket.end();
      // The name first: Node reports a wrong name only as the code ERR_TLS_CERT_ALTNAME_INVALID.
      if (identity) resolve({ trusted: false, reason: identity.message });
      else if (!socket.authorized) resolve({ trusted: false, reason: authorizationError || 'not trusted' });
      else resolve({ trusted: true, reason: '' });
    });
    socket.once('timeout', () => fail(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', fail);
  });
}

/**
 * What an untrusted chain means per certificate mode: with our private CA or Let's Encrypt
 * (not staging) it is an error; a bring-your-own chain may come from a private CA this machine
 * does not trust, so there it is a warning that names the likely cause.
 */
export function chainTrustFindings(inventory: Inventory, name: string, trust: ChainTrust): Finding[] {
  if (trust.trusted) return [];
  const mode = inventory.certificates.mode;
  const anchor =
    mode === 'self-signed'
      ? "wire-install's private CA (.wire-install/certificates/ca.crt)"
      : "this machine's trusted roots";
  return [
    {
      severity: mode === 'bring-your-own' ? 'warning' : 'error',
      rule: 'verify.certificate-chain',
      message: `the chain served for ${name} does not verify against ${anchor}`,
      measured: trust.reason,
      required: 'a chain from the leaf to a trusted root, naming the host',
      fix:
        mode === 'bring-your-own'
          ? 'put the intermediate certificates after the leaf in certificates.certChain (or ignore if clients trust your private CA) and run apply again'
          : 'run apply again (workloads.self-signed-certificate, workloads.nginx-ingress-services); kubectl describe certificate -A',
    },
  ];
}
