import { fileOperation } from '../../operations/file.js';
import { kernelModuleOperation } from '../../operations/kernel-module.js';
import { sysctlOperation } from '../../operations/sysctl.js';
import type { Operation } from '../../operations/types.js';
import { kubernetesBundled } from '../conditions.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const kernelSettingsStep = defineStep({
  id: 'bootstrap-host.kernel-settings',
  stage: 'bootstrap-host',
  title: 'Load overlay and br_netfilter; enable IP forwarding and bridge netfilter',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: ['kube-control-plane', 'kube-worker'] },
  order: 'parallel',
  when: kubernetesBundled,
  why: 'containerd and the pod network need them; Wire requires IP forwarding on Kubernetes hosts',
  operations: () => kernelSettings(),
});

const MODULES = ['overlay', 'br_netfilter'];

/** What containerd and the pod network need (docs/wire/install-sequences.md#wiab-dev, #container-runtime). */
const kernelSettings = (): Operation[] => [
  fileOperation({
    path: '/etc/modules-load.d/wire-install.conf',
    content: `# Loaded at boot for containerd and the pod network (wire-install)\n${MODULES.join('\n')}\n`,
    mode: 0o644,
  }),
  ...MODULES.map(kernelModuleOperation),
  sysctlOperation({
    file: '60-wire-install-kubernetes.conf',
    settings: {
      'net.ipv4.ip_forward': '1',
      'net.bridge.bridge-nf-call-iptables': '1',
      'net.bridge.bridge-nf-call-ip6tables': '1',
    },
  }),
];
