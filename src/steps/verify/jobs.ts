import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { kubectl } from '../../cluster/kubectl.js';
import type { Finding } from '../../core/finding.js';
import type { RemoteHost } from '../../hosts/types.js';
import { runOrFail } from '../../operations/run.js';
import { verifyCheck } from '../../verify/verify-check.js';
import { MIGRATION_JOBS } from '../../wire/migration-jobs.js';
import { WIRE_NAMESPACE } from '../../workloads/migrations/job-check.js';
import { parseJobs } from '../../workloads/migrations/kube-objects.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const jobsStep = defineStep({
  id: 'verify.jobs',
  stage: 'verify',
  title: 'Every hook job complete, none failed',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: 'Finished hook jobs stay until the next upgrade; a failed one means a migration did not run',
  alwaysRun: true,
  operations: (inventory, _host, options) => {
    const path = adminKubeconfigPath(inventory, options.inventoryDir);
    return [verifyCheck('hook jobs complete', path, (context) => jobsCheck(context.host, path))];
  },
});

async function jobsCheck(host: RemoteHost, kubeconfigPath: string): Promise<Finding[]> {
  const result = await runOrFail(
    host,
    'listing jobs',
    kubectl(kubeconfigPath, `-n ${WIRE_NAMESPACE} get jobs -o json`),
  );
  const jobs = parseJobs(result.stdout);
  const findings: Finding[] = [];
  const failed = jobs.filter((job) => job.state === 'failed');
  if (failed.length > 0)
    findings.push({
      severity: 'error',
      rule: 'verify.jobs',
      message: `jobs failed: ${failed.map((job) => `${job.name} (${job.reason ?? 'Failed'})`).join(', ')}`,
      required: 'every hook job Complete',
      fix: `apply --only migrations.${failed[0]?.name ?? ''} shows the failed container and its log; kubectl describe job ${failed[0]?.name ?? ''}`,
    });
  const names = new Set(jobs.map((job) => job.name));
  const missing = MIGRATION_JOBS.map((job) => job.job).filter((name) => !names.has(name));
  if (missing.length > 0)
    findings.push({
      severity: 'warning',
      rule: 'verify.jobs',
      message: `wire-server's hook jobs not found: ${missing.join(', ')}`,
      required: 'the hook jobs of the last helm upgrade (they stay until the next one)',
      fix: 'helm status wire-server; kubectl get jobs',
    });
  return findings;
}
