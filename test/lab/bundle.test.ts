import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { standInBundle } from '../support/bundle.js';

/**
 * The bundle check through apply, before any host is contacted. The inventory's host is an
 * address on the lab's bridge where nothing runs (172.31.0.250, SSH port 1): had apply tried to
 * connect, it would have failed. Lab project: only here does that address stay on this machine.
 */
const INVENTORY = `apiVersion: wire-install/v1
kind: Inventory
mode: demo
domain: wire.example.com
certificates:
  mode: self-signed
ssh:
  port: 1
bundle:
  path: bundle
hosts:
  - name: wire-demo
    address: 172.31.0.250
    externalIp: 203.0.113.50
    roles: [kube-control-plane, kube-worker, sftd, coturn]
    resources: { cpus: 16, memoryGiB: 16, diskGiB: 200 }
`;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wil-bundle-apply-'));
  cpSync(standInBundle(), join(dir, 'bundle'), { recursive: true });
  writeFileSync(join(dir, 'inventory.yaml'), INVENTORY);
  return dir;
}

describe('apply --only preflight.bundle', () => {
  it('passes a complete bundle without contacting any host', async () => {
    const dir = workspace();
    const run = await runCli(['apply', '--only', 'preflight.bundle', '-i', 'inventory.yaml'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('Apply: 0 hosts');
  });

  it('refuses a bundle with a missing file before contacting any host, naming the file', async () => {
    const dir = workspace();
    rmSync(join(dir, 'bundle', 'debs-jammy.tar'));
    const run = await runCli(['apply', '--only', 'preflight.bundle,preflight.ssh', '-i', 'inventory.yaml'], {
      cwd: dir,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('no host was contacted');
    expect(run.stderr).toContain(`${join(dir, 'bundle', 'debs-jammy.tar')} is missing from the bundle`);
    expect(run.stderr).not.toContain('connection refused');
  });
});
