import { checkServerIdentity, type TLSSocket } from 'node:tls';
import type { Finding } from '../core/finding.js';
import type { Inventory } from '../inventory/defaults.js';
import type { IngressEndpoint } from './ingress-endpoint.js';
import { PROBE_TIMEOUT_MS, readTlsSession } from './tls-probe.js';

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
  return readTlsSession(endpoint, servername, (socket) => chainTrustOf(socket, servername), {
    ...(ca ? { ca } : {}),
    timeoutMs,
  });
}

/** The trust of an open session (doctor reads it in the same session as the certificate). */
export function chainTrustOf(socket: TLSSocket, servername: string): ChainTrust {
  const identity = checkServerIdentity(servername, socket.getPeerCertificate());
  // The name first: Node reports a wrong name only as the code ERR_TLS_CERT_ALTNAME_INVALID.
  if (identity) return { trusted: false, reason: identity.message };
  if (!socket.authorized)
    return {
      trusted: false,
      reason: socket.authorizationError ? String(socket.authorizationError) : 'not trusted',
    };
  return { trusted: true, reason: '' };
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
