import { adminKubeconfigPath } from '../../cluster/kubeconfig.js';
import { kubectl } from '../../cluster/kubectl.js';
import { coturnEnabled } from '../../inventory/conditions.js';
import { checkCoturn } from '../../verify/coturn.js';
import { verifyCheck } from '../../verify/verify-check.js';
import { WIRE_NAMESPACE } from '../../workloads/migrations/job-check.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const coturnAddressesStep = defineStep({
  id: 'verify.coturn-addresses',
  stage: 'verify',
  title: 'coturn listens and relays on the right addresses',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  when: coturnEnabled,
  why: 'listening-ip, relay-ip and external-ip in turnserver.conf; wrong ones break calls across networks',
  alwaysRun: true,
  operations: (inventory, _host, options) => {
    const path = adminKubeconfigPath(inventory, options.inventoryDir);
    return [
      verifyCheck('coturn addresses', path, (context) =>
        checkCoturn(context.host, (args) => kubectl(path, args), inventory, WIRE_NAMESPACE),
      ),
    ];
  },
});
