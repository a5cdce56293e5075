import { selfSignedCertificate } from '../../workloads/values/self-signed-certificate.js';
import { selfSignedCertificates } from '../conditions.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

/** The private CA and certificate of certificates.mode self-signed, made on the admin host (src/workloads/values/self-signed-certificate.ts). */
export const selfSignedCertificateStep = defineStep({
  id: 'workloads.self-signed-certificate',
  stage: 'workloads',
  title: 'Make a private CA and a certificate for every Wire name',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  when: selfSignedCertificates,
  why: 'nginx-ingress-services needs a certificate covering every name under the domain',
  // Every apply: its inputs do not change as the certificate nears its end or its files go
  // missing, so a checkpoint would skip the renewal (30 days ahead) forever.
  alwaysRun: true,
  operations: (inventory, _host, options) => [selfSignedCertificate(inventory, options.inventoryDir)],
});
