import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localHost } from '../../../src/hosts/local-host.js';
import {
  bundleWireServerVersion,
  installedWireServerVersion,
  wireServerVersionFromHelmList,
} from '../../../src/upgrade/current-version.js';
import { production } from '../../support/inventories.js';

/**
 * The installed version from the state record and, with a kubeconfig, from `helm list` run on
 * the admin host (this machine). helm is a STAND-IN here (a script first on PATH that prints a
 * canned release list and records its arguments): no cluster is contacted.
 */
function workspace(options: { recorded?: string; clusterChart?: string | null; helmExit?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'wil-upgrade-version-'));
  if (options.recorded !== undefined) {
    mkdirSync(join(dir, '.wire-install', 'releases'), { recursive: true });
    writeFileSync(
      join(dir, '.wire-install', 'releases', 'wire-server.json'),
      JSON.stringify({ release: 'wire-server', chart: 'wire-server', chartVersion: options.recorded }),
    );
  }
  const bin = join(dir, 'stand-in-bin');
  mkdirSync(bin);
  const releases =
    options.clusterChart === undefined
      ? []
      : [
          { name: 'redis', namespace: 'default', chart: 'databases-ephemeral-5.28.0' },
          ...(options.clusterChart === null
            ? []
            : [{ name: 'wire-server', namespace: 'default', chart: options.clusterChart }]),
        ];
  writeFileSync(
    join(bin, 'helm'),
    `#!/bin/sh\n# STAND-IN helm\necho "$@" >> "${join(dir, 'helm-calls')}"\n` +
      (options.helmExit
        ? `echo 'Error: Kubernetes cluster unreachable' >&2\nexit ${options.helmExit}\n`
        : '') +
      `cat <<'JSON'\n${JSON.stringify(releases)}\nJSON\n`,
  );
  chmodSync(join(bin, 'helm'), 0o755);
  const host = localHost({ env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  const withCluster = () => {
    writeFileSync(join(dir, '.wire-install', 'admin.conf'), 'apiVersion: v1\n', { mode: 0o600 });
  };
  mkdirSync(join(dir, '.wire-install'), { recursive: true });
  const read = () => installedWireServerVersion({ inventory: production(), inventoryDir: dir, host });
  const calls = () => {
    try {
      return readFileSync(join(dir, 'helm-calls'), 'utf8');
    } catch {
      return '';
    }
  };
  return { dir, read, withCluster, calls };
}

describe('the installed wire-server version', () => {
  it('without a kubeconfig comes from the state record, and helm is not run', async () => {
    const ws = workspace({ recorded: '5.28.0', clusterChart: 'wire-server-5.30.0' });
    expect(await ws.read()).toEqual({ version: '5.28.0', source: 'state', warnings: [] });
    expect(ws.calls()).toBe('');
  });

  it('with a kubeconfig comes from helm list on the admin host; agreeing, no warning', async () => {
    const ws = workspace({ recorded: '5.28.0', clusterChart: 'wire-server-5.28.0' });
    ws.withCluster();
    expect(await ws.read()).toEqual({ version: '5.28.0', source: 'cluster', warnings: [] });
    expect(ws.calls()).toContain(
      `list -A -o json --kubeconfig ${join(ws.dir, '.wire-install', 'admin.conf')}`,
    );
  });

  it('when state and cluster disagree the cluster wins, with a warning naming both', async () => {
    const ws = workspace({ recorded: '5.27.0', clusterChart: 'wire-server-5.28.0' });
    ws.withCluster();
    const installed = await ws.read();
    expect(installed.version).toBe('5.28.0');
    expect(installed.warnings).toEqual([
      "the state records wire-server 5.27.0 but the cluster runs 5.28.0: using the cluster's 5.28.0",
    ]);
  });

  it('a cluster without the wire-server release is bad input: nothing to upgrade', async () => {
    const ws = workspace({ recorded: '5.28.0', clusterChart: null });
    ws.withCluster();
    await expect(ws.read()).rejects.toMatchObject({
      exitCode: 2,
      what: expect.stringContaining('no wire-server release'),
    });
  });

  it('a cluster helm cannot reach falls back to the record with a warning, or fails without one', async () => {
    const ws = workspace({ recorded: '5.28.0', helmExit: 1 });
    ws.withCluster();
    const installed = await ws.read();
    expect(installed).toMatchObject({ version: '5.28.0', source: 'state' });
    expect(installed.warnings[0]).toContain('helm could not list the cluster');

    const bare = workspace({ helmExit: 1 });
    bare.withCluster();
    await expect(bare.read()).rejects.toMatchObject({
      exitCode: 1,
      what: expect.stringContaining('helm could not list'),
    });
  });

  it('no record and no cluster is bad input (exit 2)', async () => {
    const ws = workspace();
    await expect(ws.read()).rejects.toMatchObject({
      exitCode: 2,
      what: expect.stringContaining('the state records none'),
    });
  });

  it('reads the chart version out of helm list JSON', () => {
    expect(wireServerVersionFromHelmList('[{"name":"wire-server","chart":"wire-server-5.28.0"}]')).toBe(
      '5.28.0',
    );
    expect(wireServerVersionFromHelmList('')).toBeNull();
    expect(() => wireServerVersionFromHelmList('[{"name":"wire-server","chart":"other-1.0"}]')).toThrow(
      /not the wire-server chart/,
    );
    expect(() => wireServerVersionFromHelmList('Error: nope')).toThrow(/not JSON/);
  });
});

describe("the new bundle's wire-server version", () => {
  it('comes from charts/wire-server/Chart.yaml; a missing bundle or chart is bad input', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-upgrade-bundle-'));
    expect(() => bundleWireServerVersion(join(dir, 'nope'))).toThrow(
      expect.objectContaining({ exitCode: 2 }),
    );
    expect(() => bundleWireServerVersion(dir)).toThrow(
      expect.objectContaining({ exitCode: 2, what: expect.stringContaining('no chart wire-server') }),
    );
    mkdirSync(join(dir, 'charts', 'wire-server'), { recursive: true });
    writeFileSync(join(dir, 'charts', 'wire-server', 'Chart.yaml'), 'name: wire-server\nversion: 5.32.0\n');
    expect(bundleWireServerVersion(dir)).toBe('5.32.0');
  });
});
