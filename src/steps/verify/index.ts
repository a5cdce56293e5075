import { coturnEnabled } from '../../inventory/conditions.js';
import { BOTH_MODES, type StepDefinition } from '../types.js';

/** Verify: the checks Wire documents for a working installation (docs/wire/health-and-ports.md#health-checks), from the admin host. */
export const verifySteps: readonly StepDefinition[] = [
  {
    id: 'verify.nodes',
    stage: 'verify',
    title: 'Every node Ready, kube-system pods Running',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: 'kubectl get nodes -owide; kubectl -n kube-system get pods',
  },
  {
    id: 'verify.pods',
    stage: 'verify',
    title: 'Every pod Running or Completed',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: 'CrashLoopBackOff, Error or Pending anywhere means a broken service',
  },
  {
    id: 'verify.jobs',
    stage: 'verify',
    title: 'Every hook job complete, none failed',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: 'Finished hook jobs stay until the next upgrade; a failed one means a migration did not run',
  },
  {
    id: 'verify.certificate',
    stage: 'verify',
    title: "The ingress serves the expected certificate, not nginx's fake one",
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: "A bad TLS secret silently serves the fake default certificate; cert-manager's Certificate must be READY",
  },
  {
    id: 'verify.api-status',
    stage: 'verify',
    title: 'https://nginz-https.<domain>/status answers 200',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: "Wire's documented API check: HTTP 200 from nginz",
  },
  {
    id: 'verify.webapp',
    stage: 'verify',
    title: 'https://webapp.<domain> loads',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    why: "Wire's documented web check",
  },
  {
    id: 'verify.coturn-addresses',
    stage: 'verify',
    title: 'coturn listens and relays on the right addresses',
    modes: BOTH_MODES,
    target: { kind: 'admin' },
    when: coturnEnabled,
    why: 'listening-ip, relay-ip and external-ip in turnserver.conf; wrong ones break calls across networks',
  },
];
