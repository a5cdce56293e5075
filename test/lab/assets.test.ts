import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/hosts/become.js';
import { gatherFacts } from '../../src/hosts/facts.js';
import { assetDownloadOperation } from '../../src/operations/asset-download.js';
import type { OperationContext } from '../../src/operations/types.js';
import { standInBundle } from '../support/bundle.js';
import { finished, type LabWorkspace, labWorkspaceWithBundle } from './lab-cli.js';
import { connectLabHost, labHosts } from './lab-hosts.js';
import { onHost, runWireCli } from './wire-lab.js';

/**
 * The assets stage on the lab's asset host (the fifth host), through bin/wire-install, with a
 * stand-in bundle (tiny real tarballs in Wire's layout): the tarballs uploaded once, unpacked
 * into /opt/assets with published checksums, served on :8080 by serve-assets; a host downloads
 * a file from it, checked against those checksums. A replaced bundle is unpacked again and the
 * old tree is gone.
 */

const HOSTS = labHosts().slice(0, 5);
const ASSET_HOST = HOSTS[4];
const NODE = HOSTS[0];
const ONLY = ['--only', 'preflight.bundle,preflight.ssh,assets'];
const TOOL = '#!/bin/sh\necho stand-in tool v1\n';
const DOWNLOADED = '/var/tmp/wil-assets-test/tool';

const RESET = [
  'systemctl disable --now serve-assets >/dev/null 2>&1 || true',
  'rm -rf /opt/assets /etc/systemd/system/serve-assets.service',
  'systemctl daemon-reload',
].join('\n');

let workspace: LabWorkspace;

function withBundle(files: Parameters<typeof standInBundle>[0]): LabWorkspace {
  const bundle = standInBundle(files);
  return labWorkspaceWithBundle(5, bundle);
}

const reset = () => onHost(ASSET_HOST, `sh -c ${shellQuote(RESET)}`);
beforeAll(async () => {
  await reset();
  await onHost(NODE, `rm -rf ${shellQuote('/var/tmp/wil-assets-test')}`);
  workspace = withBundle({ 'binaries/tool': { content: TOOL, mode: 0o755 } });
}, 60_000);
afterAll(reset, 60_000);

const url = () => `http://${ASSET_HOST?.address}:8080`;

async function download(bundleStamp: string) {
  if (!NODE) throw new Error('no lab host');
  const host = await connectLabHost(NODE);
  const facts = await gatherFacts(host);
  const context = (): OperationContext => ({ host, facts, changedPaths: new Set() });
  const operation = assetDownloadOperation({
    baseUrl: url(),
    file: 'binaries/tool',
    path: DOWNLOADED,
    mode: 0o755,
    bundleStamp,
  });
  return { host, operation, context };
}

describe('assets on the lab', () => {
  it('plans the download as due while nothing is served, saying why', async () => {
    const { host, operation, context } = await download('v1');
    try {
      const plan = await operation.check(context());
      expect(plan.changes).toEqual([`download ${DOWNLOADED} from ${url()}/binaries/tool`]);
      expect(plan.notes[0]).toContain('the asset host does not answer');
      await expect(operation.apply(context())).rejects.toThrow(/cannot download binaries\/tool/);
    } finally {
      host.close();
    }
  }, 60_000);

  it('uploads, unpacks and serves the bundle; a host downloads a file by its published checksum', async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const sums = await onHost(ASSET_HOST, 'cat /opt/assets/binaries.SHA256SUMS');
    expect(sums).toMatch(/^[0-9a-f]{64} {2}binaries\/tool$/m);
    expect(sums).toMatch(/^[0-9a-f]{64} {2}binaries\/index\.txt$/m);
    expect(await onHost(ASSET_HOST, 'systemctl is-active serve-assets')).toBe('active\n');

    const { host, operation, context } = await download('v1');
    try {
      expect((await operation.apply(context())).changes).toEqual([
        `download ${DOWNLOADED} from ${url()}/binaries/tool (new file)`,
      ]);
      expect(await onHost(NODE, `${DOWNLOADED}`)).toBe('stand-in tool v1\n');
      expect(await onHost(NODE, `stat -c %a ${DOWNLOADED}`)).toBe('755\n');
      // Current: nothing downloaded again.
      expect((await operation.check(context())).changes).toEqual([]);
      // A copy changed on the host is put back.
      await onHost(NODE, `echo tampered > ${DOWNLOADED}`);
      expect((await operation.apply(context())).changes[0]).toContain('(content)');
      expect(await onHost(NODE, `${DOWNLOADED}`)).toBe('stand-in tool v1\n');
    } finally {
      host.close();
    }
  }, 120_000);

  it('changes nothing on a second apply', async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, '--json', '--force', 'assets']);
    expect(run.exitCode, run.stderr).toBe(0);
    const assets = finished(run.events).filter((e) => e.step.startsWith('assets.'));
    expect(assets.length).toBe(2);
    expect(assets.filter((e) => e.status !== 'unchanged')).toEqual([]);
  }, 60_000);

  it('unpacks a replaced bundle again, removing the old tree, and refuses a file that does not match its checksum', async () => {
    const next = withBundle({ 'binaries/tool2': { content: '#!/bin/sh\necho v2\n', mode: 0o755 } });
    const run = await runWireCli(next, ['apply', ...ONLY, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const unpack = finished(run.events).find((e) => e.step === 'assets.unpack-bundle');
    expect(unpack?.changes).toContain('run unpack binaries.tar into /opt/assets');
    expect(await onHost(ASSET_HOST, 'ls /opt/assets/binaries')).toBe('index.txt\ntool2\n');

    // A file changed on the asset host after unpacking no longer matches what was published.
    await onHost(ASSET_HOST, 'echo corrupt > /opt/assets/binaries/tool2');
    const { host, context } = await download('v2');
    const operation = assetDownloadOperation({
      baseUrl: url(),
      file: 'binaries/tool2',
      path: DOWNLOADED,
      mode: 0o755,
      bundleStamp: 'v2',
    });
    try {
      await expect(operation.apply(context())).rejects.toThrow(
        /does not have the checksum the asset host published/,
      );
      // The host's copy is untouched and no temporary file is left.
      expect(await onHost(NODE, `${DOWNLOADED}`)).toBe('stand-in tool v1\n');
      expect(await onHost(NODE, 'ls /var/tmp/wil-assets-test')).toBe('tool\n');
    } finally {
      host.close();
    }
  }, 120_000);
});
