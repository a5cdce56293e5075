import { describe, expect, it } from 'vitest';
import type { StepHost } from '../../../src/engine/types.js';
import type { HostFacts } from '../../../src/hosts/facts.js';
import { withBlock } from '../../../src/operations/managed-block.js';
import { aptSourcesStep } from '../../../src/steps/bootstrap-host/apt-sources.js';
import { etcHostsStep } from '../../../src/steps/bootstrap-host/etc-hosts.js';
import { timeSyncStep } from '../../../src/steps/bootstrap-host/time-sync.js';
import type { WireStageOptions } from '../../../src/steps/define-step.js';
import { chronyValues } from '../../../src/wire/time-sync.js';
import { production } from '../../support/inventories.js';

/** What the bootstrap-host steps would write, from the inventory (the lab runs them for real). */

const inventory = production();
const host = (name: string, versionId = '22.04'): StepHost => ({
  name,
  facts: { os: { id: 'ubuntu', versionId, prettyName: '' } } as HostFacts,
  allFacts: new Map(),
});
const inputs = (operations: { kind: string; inputs: unknown }[]) => operations.map((op) => op.inputs);
// The steps' operations read only bundleRoot of the options (for the key's fingerprint).
const options = { bundleRoot: undefined } as WireStageOptions;

describe('/etc/hosts block', () => {
  it('lists every host by private address and name', () => {
    const [block] = etcHostsStep.operations(inventory, host('kubenode1'), options);
    expect(block?.inputs).toMatchObject({
      path: '/etc/hosts',
      lines: expect.arrayContaining(['192.168.122.21 kubenode1', '192.168.122.10 assethost']),
    });
  });

  it('replaces its own block and keeps everything else', () => {
    const before =
      '127.0.0.1 localhost\n# BEGIN wire-install hosts\n10.0.0.1 old\n# END wire-install hosts\n::1 ip6\n';
    expect(withBlock(before, 'hosts', ['10.0.0.2 new'])).toBe(
      '127.0.0.1 localhost\n# BEGIN wire-install hosts\n10.0.0.2 new\n# END wire-install hosts\n::1 ip6\n',
    );
    expect(withBlock('127.0.0.1 localhost', 'hosts', ['a b'])).toBe(
      '127.0.0.1 localhost\n# BEGIN wire-install hosts\na b\n# END wire-install hosts\n',
    );
  });
});

describe('apt sources', () => {
  // Wire's build exports the key armoured: a .asc keyring (docs/wire/deployment-sources.md#apt-repository-key).
  it("uses the asset host's repository for the host's Ubuntu release, with its armoured key from there", () => {
    const [, key, jammy] = inputs(aptSourcesStep.operations(inventory, host('kubenode1'), options));
    expect(key).toMatchObject({
      url: 'http://192.168.122.10:8080/debs-jammy/public/gpg',
      path: '/etc/apt/keyrings/wire-bundle.asc',
    });
    expect(jammy).toMatchObject({
      line: 'deb [signed-by=/etc/apt/keyrings/wire-bundle.asc] http://192.168.122.10:8080/debs-jammy/public jammy main',
    });
    const [, , noble] = inputs(aptSourcesStep.operations(inventory, host('kubenode1', '24.04'), options));
    expect(JSON.stringify(noble)).toContain('debs-noble/public noble main');
  });

  it('uses bundle.aptRepository when the inventory gives one, and fetches no key', () => {
    const mirrored = production((input) => {
      input.bundle = { aptRepository: 'deb [trusted=yes] http://mirror.internal/wire jammy main' };
    });
    const operations = aptSourcesStep.operations(mirrored, host('kubenode1'), options);
    expect(operations.map((op) => op.kind)).toEqual(['command', 'apt-repository']);
    expect(operations[1]?.inputs).toMatchObject({
      line: 'deb [trusted=yes] http://mirror.internal/wire jammy main',
    });
  });
});

describe('time sync', () => {
  it('makes the first host the reference, serving the others by their private addresses', () => {
    const values = chronyValues(inventory, 'kubenode1');
    expect(values.serving?.split('\n')).toEqual([
      'local stratum 8',
      ...inventory.hosts.slice(1).map((host) => `allow ${host.privateAddress}`),
    ]);
    expect(values.sources).toContain('No upstream server');
  });

  it('points every other host at the first', () => {
    expect(chronyValues(inventory, 'datanode2')).toMatchObject({
      sources: 'server 192.168.122.21 iburst',
      serving: '',
    });
  });

  it('renders the template into /etc/chrony/chrony.conf, restarting chrony when it changes', () => {
    const operations = timeSyncStep.operations(inventory, host('kubenode2'), options);
    expect(operations.map((op) => `${op.kind} ${op.target}`)).toEqual([
      'apt-package chrony',
      'template /etc/chrony/chrony.conf',
      'systemd-unit chrony.service',
    ]);
    expect(operations[2]?.inputs).toMatchObject({ restartWhenChanged: ['/etc/chrony/chrony.conf'] });
  });
});
