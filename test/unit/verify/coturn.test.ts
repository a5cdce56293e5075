import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localHost } from '../../../src/hosts/local-host.js';
import { checkCoturn, turnserverAddresses } from '../../../src/verify/coturn.js';
import { production } from '../../support/inventories.js';
import { kube, standInKubectlReplay } from '../../support/stand-in-kubectl-replay.js';

/**
 * verify.coturn-addresses against a STAND-IN kubectl (it replays what a cluster answers to
 * `get pods -l app=coturn` and to the grep in the pod), run as a real process.
 */

const inventory = production();
const coturnHost = inventory.hosts.find((host) => host.roles.includes('coturn'));
if (!coturnHost?.privateAddress && !coturnHost?.address) throw new Error('fixture: a coturn host');
const privateAddress = coturnHost.privateAddress ?? coturnHost.address;

const pod = (name: string, node: string, phase = 'Running') => ({
  metadata: { name },
  spec: { nodeName: node },
  status: { phase, hostIP: privateAddress },
});

async function run(pods: unknown[], conf: string) {
  const dir = mkdtempSync(join(tmpdir(), 'wil-coturn-'));
  const kubectl = standInKubectlReplay(dir, [
    { match: 'get pods -l app=coturn', responses: [kube.list(pods)] },
    { match: 'grep ip= coturn-config/turnserver.conf', responses: [{ stdout: conf }] },
  ]);
  const findings = await checkCoturn(
    localHost(),
    (args) => `${kubectl.bin}/kubectl --kubeconfig /k ${args}`,
    inventory,
  );
  return { findings, calls: kubectl.calls() };
}

describe('coturn addresses', () => {
  it('passes coturn on its host, listening and relaying on the private address, announcing the public one', async () => {
    const conf = `listening-ip=${privateAddress}\nrelay-ip=${privateAddress}\nexternal-ip=${coturnHost.externalIp}\n`;
    const { findings, calls } = await run([pod('coturn-0', coturnHost.name)], conf);
    expect(findings).toEqual([]);
    expect(calls[1]).toEqual([
      '-n',
      'default',
      'exec',
      'coturn-0',
      '--',
      'grep',
      'ip=',
      'coturn-config/turnserver.conf',
    ]);
  });

  it('names each wrong address with what was found and what is required', async () => {
    const conf = 'listening-ip=10.233.64.7\nrelay-ip=10.233.64.7\n';
    const { findings } = await run([pod('coturn-0', coturnHost.name)], conf);
    expect(findings.map((f) => f.measured)).toEqual([
      'listening-ip=10.233.64.7',
      'relay-ip=10.233.64.7',
      'external-ip=not set',
    ]);
    expect(findings[2]?.required).toBe(
      `external-ip=${coturnHost.externalIp} (externalIp of ${coturnHost.name})`,
    );
  });

  it('fails when no coturn pod runs, or one runs on a host without the role', async () => {
    expect((await run([pod('coturn-0', coturnHost.name, 'Pending')], '')).findings[0]?.rule).toBe(
      'verify.coturn-running',
    );
    const elsewhere = await run([pod('coturn-0', 'kubenode1')], '');
    expect(elsewhere.findings.map((f) => f.rule)).toEqual(['verify.coturn-node']);
  });

  it("reads turnserver.conf's addresses, external-ip in its public/private form too", () => {
    expect(
      turnserverAddresses('listening-ip=1.2.3.4\n# relay-ip=9.9.9.9\nexternal-ip=5.6.7.8/1.2.3.4\n'),
    ).toEqual({
      listening: ['1.2.3.4'],
      relay: [],
      external: ['5.6.7.8'],
    });
  });
});
