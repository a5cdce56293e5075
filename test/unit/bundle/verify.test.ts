import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyBundle } from '../../../src/bundle/verify.js';
import { standInBundle } from '../../support/bundle.js';

/** The offline bundle check on real files: a stand-in bundle with Wire's layout and real tarballs. */
describe('the offline bundle check', () => {
  it('accepts a complete bundle', async () => {
    expect(await verifyBundle(standInBundle())).toEqual([]);
  });

  it('names a missing item and what needs it', async () => {
    const root = standInBundle();
    rmSync(join(root, 'containers-helm.tar'));
    const [missing] = await verifyBundle(root);
    expect(missing).toMatchObject({ rule: 'bundle.missing', measured: 'missing', required: 'a file' });
    expect(missing?.message).toBe(
      `${join(root, 'containers-helm.tar')} is missing from the bundle (needed for the images of Wire's charts (kubernetes.seed-images))`,
    );
  });

  it('finds a tarball cut short', async () => {
    const root = standInBundle();
    const tar = join(root, 'binaries.tar');
    truncateSync(tar, Math.floor(statSync(tar).size / 3));
    const findings = await verifyBundle(root);
    expect(findings.map((f) => f.rule)).toEqual(['bundle.corrupt']);
    expect(findings[0]?.message).toContain(`${tar} cannot be read to its end`);
  });

  it('checks the files SHA256SUMS lists, naming the one that differs', async () => {
    const root = standInBundle();
    const sums = execFileSync('sha256sum', ['binaries.tar', 'charts/wire-server/Chart.yaml'], {
      cwd: root,
      encoding: 'utf8',
    });
    writeFileSync(join(root, 'SHA256SUMS'), sums);
    expect(await verifyBundle(root)).toEqual([]);
    appendFileSync(join(root, 'charts/wire-server/Chart.yaml'), '# edited\n');
    const [changed] = await verifyBundle(root);
    expect(changed?.rule).toBe('bundle.checksum');
    expect(changed?.message).toContain(join(root, 'charts/wire-server/Chart.yaml'));
    expect(changed?.required).toBe(
      `sha256 ${readFileSync(join(root, 'SHA256SUMS'), 'utf8').split('\n')[1]?.split(' ')[0]}`,
    );
  });

  it('says when the directory is not there', async () => {
    const [finding] = await verifyBundle('/nonexistent/wire-bundle');
    expect(finding?.rule).toBe('bundle.path');
  });
});
