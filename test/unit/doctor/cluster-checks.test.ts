import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterCoturn, coturnPortResult } from '../../../src/doctor/checks/cluster-calling.js';
import { clusterJobs, jobResult } from '../../../src/doctor/checks/cluster-jobs.js';
import { clusterNodes, nodeResults } from '../../../src/doctor/checks/cluster-nodes.js';
import { podResult } from '../../../src/doctor/checks/cluster-pods.js';
import { bindingRequest, isBindingAnswer, stunProbe } from '../../../src/doctor/checks/stun-probe.js';
import type { StepId } from '../../../src/steps/registry.js';
import { production } from '../../support/inventories.js';
import { adminOnlyContext } from './doctor-context.js';

/**
 * The cluster group's judgements on kubectl's answers, and the STUN probe against real UDP and
 * TCP servers on 127.0.0.1 that answer a Binding request as coturn does (RFC 5389: type 0x0101,
 * the request's transaction id). The checks through the built CLI: test/cli/doctor-cluster.test.ts.
 */

/** Answers a Binding request with a Binding success carrying its transaction id, as coturn does. */
function answer(request: Buffer): Buffer {
  const response = Buffer.from(request.subarray(0, 20));
  response.writeUInt16BE(0x0101, 0);
  return response;
}

let udp: Socket;
let tcp: Server;
let udpPort = 0;
let tcpPort = 0;
let closedPort = 0;

beforeAll(async () => {
  udp = createSocket('udp4');
  udp.on('message', (message, from) => udp.send(answer(message), from.port, from.address));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  udpPort = udp.address().port;
  tcp = createServer((socket) => socket.once('data', (data: Buffer) => socket.write(answer(data))));
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  tcpPort = (tcp.address() as { port: number }).port;
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  closedPort = (gone.address() as { port: number }).port;
  await new Promise((resolve) => gone.close(resolve));
});
afterAll(async () => {
  udp.close();
  await new Promise((resolve) => tcp.close(resolve));
});

describe('cluster.coturn: STUN on 3478 over UDP and TCP', () => {
  it('builds a Binding request and recognises only the answer to it', () => {
    const transaction = Buffer.alloc(12, 7);
    const request = bindingRequest(transaction);
    expect(request.readUInt16BE(0)).toBe(0x0001);
    expect(request.readUInt32BE(4)).toBe(0x2112a442);
    expect(isBindingAnswer(answer(request), transaction)).toBe(true);
    expect(isBindingAnswer(answer(request), Buffer.alloc(12, 8))).toBe(false);
    expect(isBindingAnswer(request, transaction)).toBe(false);
  });

  it('passes when a STUN server answers over UDP and over TCP', async () => {
    await expect(stunProbe('127.0.0.1', udpPort, 'udp')).resolves.toBeGreaterThanOrEqual(0);
    const result = await coturnPortResult('kubenode3', '127.0.0.1', 'tcp', tcpPort);
    expect(result.status).toBe('pass');
    expect(result.host).toBe('kubenode3');
    expect(result.evidence[0]).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${tcpPort}/tcp from the admin host: answered in \\d+ ms`),
    );
  });

  it('fails naming the host, the port and what happened when nothing answers', async () => {
    const tcpClosed = await coturnPortResult('kubenode3', '127.0.0.1', 'tcp', closedPort);
    expect(tcpClosed.status).toBe('fail');
    expect(tcpClosed.summary).toBe(`coturn on kubenode3 does not answer on ${closedPort}/tcp`);
    expect(tcpClosed.evidence[0]).toContain('ECONNREFUSED');
    expect(tcpClosed.fix).toContain('3478/udp and 3478/tcp');
    // UDP to a closed port: the ICMP port unreachable (ECONNREFUSED) or silence until the timeout.
    await expect(stunProbe('127.0.0.1', closedPort, 'udp', 500)).rejects.toThrow(
      /ECONNREFUSED|no STUN answer/,
    );
  });
});

describe('cluster.nodes', () => {
  const inventory = production();
  const kubeNodes = inventory.hosts
    .filter((h) => h.roles.includes('kube-worker') || h.roles.includes('kube-control-plane'))
    .map((h) => h.name);
  const node = (
    name: string,
    ready: string,
    extra: { type: string; status: string; reason?: string }[] = [],
  ) => ({
    metadata: { name },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
        {
          type: 'Ready',
          status: ready,
          reason: ready === 'True' ? 'KubeletReady' : 'KubeletNotReady',
          message:
            ready === 'True' ? 'kubelet is posting ready status' : 'container runtime network not ready',
        },
        ...extra,
      ],
    },
  });

  it('passes every Ready node with its Ready condition as evidence', () => {
    const results = nodeResults(inventory, { items: kubeNodes.map((name) => node(name, 'True')) });
    expect(results.map((r) => [r.host, r.status])).toEqual(kubeNodes.map((name) => [name, 'pass']));
    expect(results[0]?.evidence).toEqual(['Ready=True (KubeletReady: kubelet is posting ready status)']);
  });

  it('fails a NotReady node with its conditions, and a node that never registered', () => {
    const [first = '', second = '', ...rest] = kubeNodes;
    const results = nodeResults(inventory, {
      items: [
        node(first, 'False', [{ type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure' }]),
        ...rest.map((name) => node(name, 'True')),
      ],
    });
    const notReady = results.find((r) => r.host === first);
    expect(notReady?.status).toBe('fail');
    expect(notReady?.summary).toBe(`${first} is registered but not Ready`);
    expect(notReady?.evidence).toEqual([
      'Ready=False (KubeletNotReady: container runtime network not ready)',
      'DiskPressure=True (KubeletHasDiskPressure)',
    ]);
    const missing = results.find((r) => r.host === second);
    expect(missing?.summary).toBe(`${second} is not registered in the cluster`);
    expect(missing?.fix).toContain('kubernetes.join');
  });
});

describe('cluster.pods', () => {
  it('gives a crash-looping nginz whose log says "failed to load keystore" the zauth hint', () => {
    const result = podResult(
      { namespace: 'default', name: 'nginz-6d8f9-abcde', problem: 'CrashLoopBackOff', crashing: true },
      'nginx: [emerg] failed to load keystore /etc/wire/nginz/secrets/zauth.conf\n',
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('pod default/nginz-6d8f9-abcde is CrashLoopBackOff');
    expect(result.fix).toContain('nginz.secrets.zAuth.publicKeys missing');
    expect(result.evidence).toContain(
      '| nginx: [emerg] failed to load keystore /etc/wire/nginz/secrets/zauth.conf',
    );
  });

  it('gives no zauth hint to a crashing nginz whose log says something else', () => {
    const result = podResult(
      { namespace: 'default', name: 'nginz-6d8f9-abcde', problem: 'CrashLoopBackOff', crashing: true },
      'upstream timed out\n',
    );
    expect(result.fix).not.toContain('zAuth');
    expect(result.fix).toContain('kubectl -n default describe pod nginz-6d8f9-abcde');
  });
});

describe('cluster.jobs', () => {
  it('passes a Complete job, warns about a missing one', () => {
    expect(
      jobResult(
        'cassandra-migrations',
        {
          name: 'cassandra-migrations',
          created: undefined,
          state: 'complete',
          reason: undefined,
          message: undefined,
        },
        undefined,
      ).status,
    ).toBe('pass');
    expect(jobResult('elasticsearch-index-create', undefined, undefined).status).toBe('warn');
  });

  it('fails a failed job naming its failed container and showing its log tail and likely cause', () => {
    const result = jobResult(
      'cassandra-migrations',
      {
        name: 'cassandra-migrations',
        created: undefined,
        state: 'failed',
        reason: 'BackoffLimitExceeded',
        message: '',
      },
      {
        job: 'cassandra-migrations',
        pod: 'cassandra-migrations-x7k2p',
        container: 'brig-schema',
        exitCode: 1,
        reason: 'Error',
        logTail: ['cql-io: response timeout'],
        causes: [
          {
            id: 'timeout',
            cause: 'Cassandra did not answer in time',
            check: 'nodetool status on a cassandra host',
          },
        ],
      },
    );
    expect(result.status).toBe('fail');
    expect(result.summary).toBe(
      'migration job cassandra-migrations in container brig-schema, exit code 1, Error',
    );
    expect(result.evidence).toContain('| cql-io: response timeout');
    expect(result.fix).toBe(
      'nodetool status on a cassandra host; then wire-install apply --only migrations.cassandra-migrations',
    );
  });
});

describe('when the cluster checks apply', () => {
  it('skips without the admin kubeconfig, the jobs before wire-server, coturn when it is off', () => {
    const none = adminOnlyContext(production());
    expect(clusterNodes.skipReason(none)).toContain('no cluster yet');
    const cluster = (steps: StepId[]) => {
      const context = adminOnlyContext(production(), { succeededSteps: steps });
      return { ...context, installed: { ...context.installed, kubeconfig: '/x/.wire-install/admin.conf' } };
    };
    expect(clusterNodes.skipReason(cluster([]))).toBeUndefined();
    expect(clusterJobs.skipReason(cluster([]))).toContain('workloads.wire-server has not succeeded');
    expect(clusterJobs.skipReason(cluster(['workloads.wire-server']))).toBeUndefined();
    // The example inventory has a coturn host (kubenode3): coturn applies once there is a cluster.
    expect(clusterCoturn.skipReason(cluster([]))).toBeUndefined();
    const off = production((input) => {
      input.wire = { calling: { coturn: { enabled: false } } };
    });
    expect(clusterCoturn.skipReason({ ...cluster([]), inventory: off })).toBe(
      'coturn is not enabled (wire.calling.coturn.enabled)',
    );
  });
});
