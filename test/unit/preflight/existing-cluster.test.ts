import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localHost } from '../../../src/hosts/local-host.js';
import { checkExistingCluster } from '../../../src/preflight/existing-cluster.js';

/**
 * kubernetes: existing, checked through a STAND-IN kubectl (a script written here, run as a real
 * process): it records its arguments and answers `version` and `get nodes` with what a cluster
 * of the given version and node states would answer.
 */

const host = localHost();

function standInKubectl(
  serverMinor: string | undefined,
  nodes: [string, boolean][],
): { path: string; calls: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wil-kubectl-'));
  const calls = join(dir, 'calls');
  const version =
    serverMinor === undefined
      ? `echo 'Unable to connect to the server: dial tcp 127.0.0.1:1: connect: connection refused' >&2; exit 1`
      : `echo '{"clientVersion":{"minor":"29"},"serverVersion":{"minor":"${serverMinor}","gitVersion":"v1.${serverMinor.replace('+', '')}.4"}}'`;
  const items = nodes.map(
    ([name, ready]) =>
      `{"metadata":{"name":"${name}"},"status":{"conditions":[{"type":"Ready","status":"${ready ? 'True' : 'False'}"}]}}`,
  );
  const path = join(dir, 'kubectl');
  writeFileSync(
    path,
    `#!/bin/sh
# stand-in for kubectl: records its arguments, answers canned version and node list
echo "$*" >> ${calls}
case "$*" in
  *" version "*) ${version} ;;
  *" get nodes "*) echo '{"items":[${items.join(',')}]}' ;;
  *) exit 9 ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return { path, calls };
}

describe('an existing cluster', () => {
  it('passes a recent cluster with every node Ready, asking with the kubeconfig and context given', async () => {
    const kubectl = standInKubectl('29+', [
      ['node-a', true],
      ['node-b', true],
    ]);
    expect(await checkExistingCluster(host, '/etc/wire/kube config', 'wire', kubectl.path)).toEqual([]);
    expect(readFileSync(kubectl.calls, 'utf8')).toContain(
      '--kubeconfig /etc/wire/kube config --context wire version',
    );
  });

  it('fails a cluster older than 1.27 and names the nodes that are not Ready', async () => {
    const kubectl = standInKubectl('26', [
      ['node-a', true],
      ['node-b', false],
    ]);
    const findings = await checkExistingCluster(host, '/k', undefined, kubectl.path);
    expect(findings.map((f) => f.rule)).toEqual([
      'preflight.existing-cluster-version',
      'preflight.existing-cluster-nodes',
    ]);
    expect(findings[0]).toMatchObject({ measured: 'v1.26.4', required: '1.27 or later' });
    expect(findings[1]?.message).toBe('nodes not Ready: node-b');
  });

  it('says the API does not answer, with what kubectl said', async () => {
    const kubectl = standInKubectl(undefined, []);
    const [finding, ...rest] = await checkExistingCluster(host, '/k', undefined, kubectl.path);
    expect(rest).toEqual([]);
    expect(finding?.rule).toBe('preflight.existing-cluster');
    expect(finding?.measured).toContain('connection refused');
  });
});
