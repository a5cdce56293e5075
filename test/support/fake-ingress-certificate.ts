import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A self-signed certificate named as ingress-nginx names the one it serves when it has no
 * usable TLS secret ("Kubernetes Ingress Controller Fake Certificate", SAN ingress.local).
 */
export function fakeIngressCertificate(dir: string): { chain: string; key: string } {
  const key = join(dir, 'fake.key');
  const chain = join(dir, 'fake.pem');
  // biome-ignore format: openssl's arguments read best as one command line
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', chain, '-days', '365',
    '-subj', '/O=Acme Co/CN=Kubernetes Ingress Controller Fake Certificate',
    '-addext', 'subjectAltName=DNS:ingress.local',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { chain, key };
}
