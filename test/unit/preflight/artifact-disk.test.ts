import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../../src/hosts/facts.js';
import { artifactBytesNeeded, bundleSizes, checkArtifactDisk } from '../../../src/preflight/artifact-disk.js';
import { demo, production } from '../../support/inventories.js';

/** Free disk for the bundle's files, measured against what each host's roles receive. */

const GIB = 1024 ** 3;
const sizes = {
  'debs-jammy.tar': 1 * GIB,
  'binaries.tar': 2 * GIB,
  'containers-system.tar': 1 * GIB,
  'containers-helm.tar': 4 * GIB,
};
const inventory = production();
const host = (name: string) => {
  const found = inventory.hosts.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`fixture has no ${name}`);
  return found;
};
const withFree = (freeGiB: number) => ({ disk: { path: '/var/lib', totalGiB: 100, freeGiB } }) as HostFacts;

describe('disk for the bundle', () => {
  it('asks the asset host for every tarball twice (the copy and its unpacked tree)', () => {
    expect(artifactBytesNeeded(inventory, host('assethost'), sizes)).toBe(16 * GIB);
  });

  it('asks a Kubernetes node for the images and binaries, and a data node for nothing', () => {
    expect(artifactBytesNeeded(inventory, host('kubenode1'), sizes)).toBe(7 * GIB);
    expect(artifactBytesNeeded(inventory, host('datanode1'), sizes)).toBe(0);
    expect(checkArtifactDisk(inventory, host('datanode1'), withFree(0), sizes)).toEqual([]);
  });

  it('asks the single host of a demo for both', () => {
    const single = demo();
    const [only] = single.hosts;
    if (!only) throw new Error('fixture');
    expect(artifactBytesNeeded(single, only, sizes)).toBe(23 * GIB);
  });

  it('fails a host with less free space than it needs, with what was measured and needed', () => {
    const [finding, ...rest] = checkArtifactDisk(inventory, host('assethost'), withFree(15), sizes);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      severity: 'error',
      rule: 'preflight.disk-for-bundle',
      host: 'assethost',
      measured: '15 GiB free on the filesystem of /var/lib',
      required: "16.0 GiB for the bundle's files",
    });
    expect(finding?.fix).toContain('/opt/assets');
  });

  it('warns when less than twice the need is free, and passes above', () => {
    expect(checkArtifactDisk(inventory, host('kubenode1'), withFree(10), sizes)[0]?.severity).toBe('warning');
    expect(checkArtifactDisk(inventory, host('kubenode1'), withFree(14), sizes)).toEqual([]);
  });

  it("reads the tarballs' sizes from the bundle, leaving out missing ones", () => {
    const root = mkdtempSync(join(tmpdir(), 'wil-disk-'));
    writeFileSync(join(root, 'binaries.tar'), Buffer.alloc(1234));
    expect(bundleSizes(root, ['binaries.tar', 'debs-jammy.tar'])).toEqual({ 'binaries.tar': 1234 });
  });
});
