import type { Finding } from '../core/finding.js';

/**
 * Every pod Running or Completed (docs/wire/health-and-ports.md#health-checks): CrashLoopBackOff, Error or Pending anywhere
 * is a broken service. A crashing pod gets the known hint of docs/wire/known-problems.md#problems-operators-commonly-hit when its name or its log
 * says which (nginz "failed to load keystore": the zauth public key is missing). Pure.
 */
interface ContainerStatus {
  name: string;
  ready?: boolean;
  state?: { waiting?: { reason?: string }; terminated?: { exitCode?: number; reason?: string } };
}
export interface PodJson {
  metadata: { name: string; namespace?: string };
  status?: {
    phase?: string;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface BadPod {
  namespace: string;
  name: string;
  /** CrashLoopBackOff, Pending, Failed, ImagePullBackOff... */
  problem: string;
  crashing: boolean;
}

const BAD_WAITING =
  /CrashLoopBackOff|Error|ImagePullBackOff|ErrImagePull|CreateContainerConfigError|InvalidImageName/;

export function badPods(list: { items?: PodJson[] }): BadPod[] {
  return (list.items ?? []).flatMap((pod): BadPod[] => {
    const phase = pod.status?.phase ?? 'Unknown';
    const namespace = pod.metadata.namespace ?? 'default';
    if (phase === 'Succeeded') return [];
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const waiting = statuses.map((s) => s.state?.waiting?.reason).find((r) => r && BAD_WAITING.test(r));
    if (waiting)
      return [
        { namespace, name: pod.metadata.name, problem: waiting, crashing: waiting === 'CrashLoopBackOff' },
      ];
    if (phase !== 'Running') return [{ namespace, name: pod.metadata.name, problem: phase, crashing: false }];
    return [];
  });
}

interface CrashHint {
  /** Matched on the pod name. */
  pod: RegExp;
  /** Matched on its log when one was read; without `log`, the pod name alone decides. */
  log?: RegExp;
  hint: string;
}

const CRASH_HINTS: readonly CrashHint[] = [
  {
    pod: /^nginz-/,
    log: /failed to load keystore|zauth/i,
    hint: 'nginz cannot load the zauth public key: nginz.secrets.zAuth.publicKeys missing, or secrets.yaml not passed to helm',
  },
  {
    pod: /^(brig|galley)-/,
    log: /teamSearchVisibility|smtp|Error in \$|AesonException|yaml/i,
    hint: 'brig or galley rejects its configuration (a feature-flag value, the SMTP settings)',
  },
  {
    pod: /^(brig|background-worker)-/,
    log: /rabbitmq|AMQP|ConnectionClosedException/i,
    hint: 'RabbitMQ is not reachable or refuses the credentials (rabbitmq-external, port 5672/15672)',
  },
  {
    pod: /^(brig|galley|gundeck|spar|background-worker)-/,
    log: /cassandra|cql-io|getAddrInfo/i,
    hint: 'the service cannot reach Cassandra (cassandra-external, port 9042)',
  },
  {
    pod: /^coturn-/,
    hint: 'coturn listens on the node network: check listening-ip, relay-ip and external-ip',
  },
];

/** The known hints for a crashing pod, given its log tail when it could be read. */
export function crashHints(podName: string, log: string): string[] {
  return CRASH_HINTS.filter((entry) => entry.pod.test(podName) && (!entry.log || entry.log.test(log))).map(
    (entry) => entry.hint,
  );
}

export function podHealthFindings(bad: BadPod[], logs: ReadonlyMap<string, string>): Finding[] {
  if (bad.length === 0) return [];
  const hints = bad.flatMap((pod) => crashHints(pod.name, logs.get(`${pod.namespace}/${pod.name}`) ?? ''));
  return [
    {
      severity: 'error',
      rule: 'verify.pods',
      message: `pods not Running or Completed: ${bad.map((pod) => `${pod.namespace}/${pod.name} (${pod.problem})`).join(', ')}`,
      measured: `${bad.length} pod${bad.length === 1 ? '' : 's'}`,
      required: 'every pod Running or Completed',
      fix: [
        ...new Set(hints),
        `kubectl -n ${bad[0]?.namespace} describe pod ${bad[0]?.name}; kubectl -n ${bad[0]?.namespace} logs ${bad[0]?.name} --previous`,
      ].join('; '),
    },
  ];
}
