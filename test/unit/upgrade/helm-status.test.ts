import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isWireInstallError } from '../../../src/core/errors.js';
import { localHost } from '../../../src/hosts/local-host.js';
import { helmReleaseStatus } from '../../../src/upgrade/charts/helm-status.js';
import { type StandInHelm, standInHelm } from '../../support/stand-in-helm.js';

/**
 * `helm status -o json` through the STAND-IN helm first on PATH (no cluster): the revision a
 * release is at, null for a release helm does not know, and a failure that names the command
 * but never shows helm's stdout, which holds the release's values (secrets.yaml's among them).
 */
let dir: string;
let helm: StandInHelm;
let kubeconfig: string;
const host = () => localHost({ env: { ...process.env, PATH: `${helm.bin}:${process.env.PATH}` } });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wil-helm-status-'));
  kubeconfig = join(dir, 'admin.conf');
  writeFileSync(kubeconfig, 'server: https://127.0.0.1:6443\n', { mode: 0o600 });
  helm = standInHelm(join(dir, 'helm-stand-in'));
  helm.installed({ webapp: { revision: 4, chart: 'webapp-5.28.0' } });
});

describe('helmReleaseStatus (stand-in helm)', () => {
  it("reads the release's revision and chart; a release helm does not know is null", async () => {
    expect(await helmReleaseStatus(host(), 'webapp', 'default', kubeconfig)).toEqual({
      revision: 4,
      chart: 'webapp-5.28.0',
    });
    expect(await helmReleaseStatus(host(), 'coturn', 'default', kubeconfig)).toEqual({
      revision: null,
      chart: undefined,
    });
  });

  it("output without a revision fails naming the command, without helm's stdout (the release's values)", async () => {
    const secret = 'zKq81-not-for-eyes-Vb3';
    helm.answer({
      'status webapp': { exitCode: 0, stdout: JSON.stringify({ config: { pgPassword: secret } }) },
    });
    const error = await helmReleaseStatus(host(), 'webapp', 'default', kubeconfig).catch((e: unknown) => e);
    helm.answer({});
    expect(isWireInstallError(error)).toBe(true);
    if (!isWireInstallError(error)) return;
    expect(error.what).toBe(
      'cannot read the helm revision of release webapp: its output has no revision (version)',
    );
    expect(error.evidence[0]).toMatch(
      /^command: helm status webapp --namespace default -o json --kubeconfig /,
    );
    expect(JSON.stringify(error)).not.toContain(secret);
  });
});
