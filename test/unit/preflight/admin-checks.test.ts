import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localHost } from '../../../src/hosts/local-host.js';
import { checkAdminTools } from '../../../src/preflight/admin-tools.js';
import { checkSecretsFile } from '../../../src/preflight/secrets-file.js';
import { writeSecretsFile } from '../../../src/secrets/file.js';
import { generateSecrets } from '../../../src/secrets/generate.js';

/**
 * The admin host's preflight: helm and kubectl run as real processes (STAND-IN executables
 * written here, printing what the real ones print for these flags), and secrets.yaml as a real
 * file with a real mode.
 */

const dir = mkdtempSync(join(tmpdir(), 'wil-admin-tools-'));
function standIn(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh\n# stand-in for ${name.split('-')[0]}: prints what the real one prints\n${body}\n`,
  );
  chmodSync(path, 0o755);
  return path;
}
const helm3 = standIn('helm-3', 'echo "v3.15.0+gc4e37b3"');
const helm2 = standIn('helm-2', 'echo "Client: v2.17.0+ga690bad"');
const kubectl = (minor: number) =>
  standIn(
    `kubectl-1${minor}`,
    `echo '{"clientVersion":{"major":"1","minor":"${minor}","gitVersion":"v1.${minor}.3"}}'`,
  );
const host = localHost();
const rules = (findings: { severity: string; rule: string }[]) =>
  findings.map((f) => `${f.severity} ${f.rule}`);

describe('helm and kubectl on the admin host', () => {
  it('passes helm 3 and a kubectl within one minor version of the bundle', async () => {
    expect(await checkAdminTools(host, { helm: helm3, kubectl: kubectl(30) })).toEqual([]);
  });

  it('fails a missing tool, saying it was not found', async () => {
    const findings = await checkAdminTools(host, {
      helm: join(dir, 'no-helm'),
      kubectl: join(dir, 'no-kubectl'),
    });
    expect(rules(findings)).toEqual(['error preflight.helm', 'error preflight.kubectl']);
    expect(findings[0]?.measured).toBe('not found on PATH');
  });

  it('fails helm 2 and warns about a kubectl too far from the cluster', async () => {
    const findings = await checkAdminTools(host, { helm: helm2, kubectl: kubectl(32) });
    expect(rules(findings)).toEqual(['error preflight.helm', 'warning preflight.kubectl']);
    expect(findings[1]).toMatchObject({ measured: 'v1.32.3', required: 'kubectl 1.28 to 1.30' });
  });
});

describe('secrets.yaml', () => {
  it('passes a private file and fails one others can read, with its mode', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wil-secrets-')), 'secrets.yaml');
    const secrets = generateSecrets();
    await writeSecretsFile(path, secrets);
    expect(await checkSecretsFile(path, secrets)).toEqual([]);
    chmodSync(path, 0o644);
    expect(await checkSecretsFile(path, secrets)).toMatchObject([
      { severity: 'error', rule: 'preflight.secrets-mode', measured: 'mode 644', fix: `chmod 600 ${path}` },
    ]);
  });

  it('fails a missing file, saying how to make one', async () => {
    const [finding] = await checkSecretsFile('/nonexistent/secrets.yaml', undefined);
    expect(finding?.rule).toBe('preflight.secrets');
    expect(finding?.fix).toContain('wire-install init');
  });
});
