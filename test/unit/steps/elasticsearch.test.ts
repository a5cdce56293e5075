import { createHash } from 'node:crypto';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { StepHost } from '../../../src/engine/types.js';
import type { HostFacts } from '../../../src/hosts/facts.js';
import { elasticsearchInstall } from '../../../src/steps/databases/elasticsearch/install.js';
import { renderTemplateFile } from '../../../src/templates/load.js';
import { elasticsearchConfig, heapSize, minimumMasterNodes } from '../../../src/wire/elasticsearch.js';
import { production } from '../../support/inventories.js';

/** What databases.elasticsearch-install writes, for Wire's three data nodes (docs/wire/install-sequences.md#elasticsearch-install, docs/wire/inventory-and-hardware.md#inventory-groups). */

const inventory = production();
const NODES = ['192.168.122.31', '192.168.122.32', '192.168.122.33'];
const host = (name: string, memoryGiB: number): StepHost => ({
  name,
  facts: { memoryGiB } as HostFacts,
  allFacts: new Map(),
});
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const rendered = (name: string) =>
  renderTemplateFile('elasticsearch/elasticsearch.yml', elasticsearchConfig(inventory, name));

describe('elasticsearch.yml', () => {
  it('names the node, binds the private address and lists every ES node for zen discovery', () => {
    const config = load(rendered('datanode2')) as Record<string, unknown>;
    expect(config).toMatchObject({
      // Wire's name (docs/wire/deployment-sources.md#elasticsearch).
      'cluster.name': 'elasticsearch-directory',
      'node.name': 'datanode2',
      'node.master': true,
      'network.host': '192.168.122.32',
      'http.port': 9200,
      'transport.tcp.port': 9300,
      'discovery.zen.ping.unicast.hosts': NODES,
      'discovery.zen.minimum_master_nodes': 2,
    });
  });

  it('is the same cluster on every node, each with its own address', () => {
    const configs = ['datanode1', 'datanode2', 'datanode3'].map(
      (name) => load(rendered(name)) as Record<string, unknown>,
    );
    expect(new Set(configs.map((c) => c['cluster.name'])).size).toBe(1);
    expect(configs.map((c) => c['network.host'])).toEqual(NODES);
  });

  it('needs a majority of master-eligible nodes, against split brain', () => {
    expect([1, 2, 3, 4, 5].map(minimumMasterNodes)).toEqual([1, 2, 2, 3, 3]);
  });

  it('is what the step writes, with the group the package runs as', () => {
    const operations = elasticsearchInstall(inventory, host('datanode1', 16), { bundleRoot: undefined });
    const yml = operations.find((op) => op.target === '/etc/elasticsearch/elasticsearch.yml');
    expect(yml?.inputs).toMatchObject({
      sha256: sha256(rendered('datanode1')),
      mode: '660',
      group: 'elasticsearch',
    });
  });
});

describe('the heap, by Elasticsearch rules', () => {
  it('is half the memory, at most 31 GiB, at least 512 MiB', () => {
    expect(heapSize(8)).toBe('4g'); // Wire's staging data nodes (docs/wire/install-sequences.md#wiab-staging)
    expect(heapSize(16)).toBe('8g');
    expect(heapSize(7.8)).toBe('3968m');
    expect(heapSize(128)).toBe('31g');
    expect(heapSize(0.5)).toBe('512m');
    // Sharing a 16 GiB data node with Cassandra (and the other databases): a quarter.
    expect(heapSize(16, true)).toBe('4g');
  });

  it('sets -Xms equal to -Xmx in jvm.options, from the host memory (a quarter beside Cassandra)', () => {
    // datanode1 carries every database, Cassandra too (Wire's layout, docs/wire/inventory-and-hardware.md#inventory-groups).
    const operations = elasticsearchInstall(inventory, host('datanode1', 16), { bundleRoot: undefined });
    const jvm = operations.find((op) => op.target === '/etc/elasticsearch/jvm.options');
    const text = renderTemplateFile('elasticsearch/jvm.options', { heap: '4g' });
    expect(text).toMatch(/^-Xms4g$/m);
    expect(text).toMatch(/^-Xmx4g$/m);
    expect(jvm?.inputs).toMatchObject({ sha256: sha256(text) });
  });
});

describe('the install step', () => {
  it('installs Java from apt and the bundle .deb, then starts ES, restarting when its files change', () => {
    const operations = elasticsearchInstall(inventory, host('datanode3', 16), { bundleRoot: undefined });
    expect(operations.map((op) => `${op.kind} ${op.target}`)).toEqual([
      'apt-package openjdk-8-jre-headless',
      'asset /var/cache/wire-install/elasticsearch-oss-6.8.23.deb',
      'deb-file elasticsearch-oss',
      'template /etc/elasticsearch/elasticsearch.yml',
      'template /etc/elasticsearch/jvm.options',
      'sysctl /etc/sysctl.d/60-wire-install-elasticsearch.conf',
      'systemd-unit elasticsearch.service',
    ]);
    expect(operations[1]?.inputs).toMatchObject({
      url: 'http://192.168.122.10:8080/binaries/elasticsearch-oss-6.8.23.deb',
    });
    expect(operations[6]?.inputs).toMatchObject({
      enabled: true,
      running: true,
      restartWhenChanged: expect.arrayContaining([
        '/etc/elasticsearch/elasticsearch.yml',
        '/etc/elasticsearch/jvm.options',
      ]),
    });
  });
});
