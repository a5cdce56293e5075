import { commandOperation } from '../../operations/command.js';
import type { Operation } from '../../operations/types.js';
import { kubernetesBundled } from '../conditions.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const swapOffStep = defineStep({
  id: 'bootstrap-host.swap-off',
  stage: 'bootstrap-host',
  title: 'Turn swap off, now and after reboot',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: ['kube-control-plane', 'kube-worker'] },
  order: 'parallel',
  when: kubernetesBundled,
  why: "kubelet does not run with swap on; kubespray's preinstall, which Wire runs, turns it off",
  operations: () => swapOff(),
});

/** kubelet refuses to run with swap (kubespray's preinstall turns it off, docs/wire/install-sequences.md#container-runtime). */
const swapOff = (): Operation[] => [
  commandOperation({
    name: 'turn swap off, now and in /etc/fstab',
    command: `swapoff -a && sed -ri 's/^([^#].*[[:space:]]swap[[:space:]].*)$/# \\1  # turned off by wire-install (kubelet)/' /etc/fstab`,
    unless: `[ "$(wc -l < /proc/swaps)" -le 1 ] && ! grep -Eq '^[^#].*[[:space:]]swap[[:space:]]' /etc/fstab`,
  }),
];
