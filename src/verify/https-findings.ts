import type { Finding } from '../core/finding.js';
import type { HttpsAnswer } from './https-probe.js';

/** Wire's documented API and web checks (docs/wire/health-and-ports.md#health-checks), on an answer from the ingress. Pure. */

export function apiStatusFindings(url: string, answer: HttpsAnswer): Finding[] {
  if (answer.status === 200) return [];
  return [
    {
      severity: 'error',
      rule: 'verify.api-status',
      message: `${url} answered HTTP ${answer.status}`,
      measured: `HTTP ${answer.status}`,
      required: 'HTTP 200 from nginz',
      fix:
        answer.status === 502 || answer.status === 503 || answer.status === 504
          ? 'the ingress has no running nginz behind it: kubectl get pods -l app=nginz; kubectl logs -l app=nginz'
          : 'kubectl get ingress; kubectl get pods',
    },
  ];
}

export function webappFindings(url: string, answer: HttpsAnswer): Finding[] {
  if (answer.status === 200 && /<html/i.test(answer.body)) return [];
  return [
    {
      severity: 'error',
      rule: 'verify.webapp',
      message:
        answer.status === 200
          ? `${url} answered 200 but not with an HTML page`
          : `${url} answered HTTP ${answer.status}`,
      measured: `HTTP ${answer.status}, ${answer.body.length} bytes`,
      required: 'HTTP 200 with the web app page',
      fix: 'kubectl get pods -l app=webapp; kubectl logs -l app=webapp; kubectl get ingress',
    },
  ];
}

/** The probe could not get an answer at all. */
export function unreachableFinding(rule: string, url: string, error: unknown, where: string): Finding {
  return {
    severity: 'error',
    rule,
    message: `${url} did not answer`,
    measured: error instanceof Error ? error.message : String(error),
    required: `an answer from the ingress at ${where}`,
    fix: 'kubectl -n default get svc ingress-nginx-controller (NodePort 31773); a host firewall on the node',
  };
}
