import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { coversName, parsePemCertificates, safeVerify } from '../../certs/pem.js';
import { shellQuote } from '../../hosts/become.js';
import type { Inventory } from '../../inventory/defaults.js';
import { runOrFail } from '../../operations/run.js';
import type { Operation, OperationContext, OperationOutcome } from '../../operations/types.js';
import { requiredDnsNames } from '../../rules/dns-names.js';
import { selfSignedPaths } from './certificate-files.js';

/**
 * workloads.self-signed-certificate (certificates.mode self-signed, demos and tests): a private
 * CA and a certificate for every Wire name (docs/wire/dns-and-certificates.md#required-dns-names, #certificates), made with openssl on the admin host
 * under .wire-install/certificates/ beside the inventory, every file 0600 in a 0700 folder. The
 * CA is kept once made (clients told to trust it keep trusting it); the leaf is made again when
 * it no longer covers the names, does not chain to the CA, or expires within 30 days.
 * src/workloads/values/certificate-files.ts gives it to nginx-ingress-services and sftd; the
 * conformance matrix (test/conformance/matrix.ts) makes its certificates with opensslScript.
 */
export const LEAF_DAYS = 397;
export const CA_DAYS = 3650;
const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;

/** Why the files do not do (each a change line), or none. */
export function certificateProblems(inventory: Inventory, inventoryDir: string, now = new Date()): string[] {
  const paths = selfSignedPaths(inventoryDir);
  const names = requiredDnsNames(inventory).map((entry) => entry.name);
  const missing = [paths.ca, paths.caKey, paths.chain, paths.key].filter((path) => !existsSync(path));
  if (missing.length > 0)
    return [`make ${missing.join(', ')} (private CA and a certificate for ${names.join(', ')})`];
  const problems: string[] = [];
  const [leaf] = parsePemCertificates(readFileSync(paths.chain, 'utf8'));
  const ca = new X509Certificate(readFileSync(paths.ca));
  const uncovered = leaf ? names.filter((name) => !coversName(leaf, name)) : names;
  if (!leaf) problems.push(`make ${paths.chain} again (no certificate in it)`);
  else {
    if (uncovered.length > 0)
      problems.push(`make ${paths.chain} again: it does not cover ${uncovered.join(', ')}`);
    if (!safeVerify(leaf, ca.publicKey))
      problems.push(`make ${paths.chain} again: not signed by ${paths.ca}`);
    if (new Date(leaf.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS)
      problems.push(`make ${paths.chain} again: it expires ${leaf.validTo}`);
    if (!leaf.checkPrivateKey(createPrivateKey(readFileSync(paths.key))))
      problems.push(`make ${paths.chain} again: ${paths.key} is not its key`);
  }
  for (const path of [paths.ca, paths.caKey, paths.chain, paths.key]) {
    const mode = statSync(path).mode & 0o777;
    if (mode !== 0o600) problems.push(`chmod 600 ${path} (is ${mode.toString(8)})`);
  }
  return problems;
}

/**
 * The openssl commands, run by sh on the admin host under umask 077: the CA only when missing,
 * then a P-256 key and a leaf with every name as a SAN, the chain leaf first then the CA.
 */
export function opensslScript(inventory: Inventory, inventoryDir: string): string {
  const paths = selfSignedPaths(inventoryDir);
  const names = requiredDnsNames(inventory).map((entry) => entry.name);
  const q = shellQuote;
  const san = `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`;
  return [
    'set -e',
    'umask 077',
    `mkdir -p ${q(paths.dir)}`,
    `chmod 700 ${q(paths.dir)}`,
    `cd ${q(paths.dir)}`,
    `if [ ! -f ca.key ] || [ ! -f ca.crt ]; then openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt -days ${CA_DAYS} -subj ${q(`/CN=wire-install private CA for ${inventory.domain}`)} -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>&1; fi`,
    `printf '%s\\n' ${q(san)} 'extendedKeyUsage=serverAuth' 'basicConstraints=CA:FALSE' > leaf.ext`,
    `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout wire.key.new -out leaf.csr -subj ${q(`/CN=${names[0] ?? inventory.domain}`)} 2>&1`,
    `openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out leaf.crt -days ${LEAF_DAYS} -extfile leaf.ext 2>&1`,
    'cat leaf.crt ca.crt > wire.crt.new',
    'mv wire.key.new wire.key',
    'mv wire.crt.new wire.crt',
    'rm -f leaf.csr leaf.crt leaf.ext ca.srl',
    'chmod 600 ca.key ca.crt wire.key wire.crt',
  ].join('\n');
}

export function selfSignedCertificate(inventory: Inventory, inventoryDir: string): Operation {
  const paths = selfSignedPaths(inventoryDir);
  const names = requiredDnsNames(inventory).map((entry) => entry.name);
  return {
    kind: 'certificate',
    target: paths.chain,
    inputs: { names, dir: paths.dir, leafDays: LEAF_DAYS },
    async check(): Promise<OperationOutcome> {
      return { changes: certificateProblems(inventory, inventoryDir), notes: [] };
    },
    async apply(context: OperationContext): Promise<OperationOutcome> {
      const problems = certificateProblems(inventory, inventoryDir);
      if (problems.length === 0) return { changes: [], notes: [] };
      await runOrFail(
        context.host,
        'making the self-signed certificate with openssl',
        opensslScript(inventory, inventoryDir),
        {
          next: 'openssl must be installed on the admin host (apt-get install openssl)',
        },
      );
      const left = certificateProblems(inventory, inventoryDir);
      if (left.length > 0)
        throw new Error(`the certificate openssl made still does not do: ${left.join('; ')}`);
      return {
        changes: problems,
        notes: [`clients trust Wire only after importing ${paths.ca} (a private CA: for demos and tests)`],
      };
    },
  };
}
