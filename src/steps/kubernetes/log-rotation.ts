import { KUBE_ROLES } from '../../inventory/roles.js';
import { aptPackageOperation } from '../../operations/apt.js';
import { remoteCheck } from '../../operations/remote-check.js';
import type { Operation } from '../../operations/types.js';
import { templateOperation } from '../../templates/load.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const logRotationStep = defineStep({
  id: 'kubernetes.log-rotation',
  stage: 'kubernetes',
  title: 'Rotate container logs daily, keep two',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: KUBE_ROLES },
  order: 'parallel',
  why: "Wire's kubernetes_logging.yml: nginz logs must not go back more than 72 hours",
  operations: () => logRotation(),
});

const PODLOGS_LOGROTATE = '/etc/logrotate.d/podlogs';

export function logRotation(): Operation[] {
  return [
    aptPackageOperation({ name: 'logrotate' }),
    templateOperation(
      'kubernetes/logrotate-podlogs',
      { podLogs: '/var/log/pods/*/*/*.log' },
      { path: PODLOGS_LOGROTATE, mode: 0o644 },
    ),
    remoteCheck('logrotate reads the pod log rules', async (context) => {
      const installed = await context.host.exec(`command -v logrotate && [ -f ${PODLOGS_LOGROTATE} ]`);
      if (installed.exitCode !== 0) throw new Error(`logrotate or ${PODLOGS_LOGROTATE} is not there yet`);
      const result = await context.host.exec(`logrotate --debug ${PODLOGS_LOGROTATE} 2>&1`);
      if (result.exitCode === 0) return [];
      return [
        {
          severity: 'error',
          rule: 'kubernetes.log-rotation',
          host: context.host.name,
          message: `logrotate rejects ${PODLOGS_LOGROTATE}`,
          measured: result.stdout.trim().split('\n').at(-1) ?? '',
          fix: `look at ${PODLOGS_LOGROTATE}: logrotate --debug ${PODLOGS_LOGROTATE}`,
        },
      ];
    }),
  ];
}
