import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSupportBundle } from '../../../src/doctor/support-bundle.js';
import type { DoctorContext, DoctorReport } from '../../../src/doctor/types.js';
import { localHost } from '../../../src/hosts/local-host.js';
import { production } from '../../support/inventories.js';

/**
 * A secrets.yaml that does not load (a key missing after an update: when support asks for a
 * bundle) still has its values hidden in the bundle: the runner passes them as hiddenValues.
 */
describe('the support bundle with an unusable secrets.yaml', () => {
  it("hides the runner's values in every file, though context.secrets is undefined", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-bundle-hidden-'));
    const value = 'Zq8rT2vLw9XpK4mN7bYc';
    mkdirSync(join(dir, '.wire-install', 'logs'), { recursive: true });
    writeFileSync(join(dir, 'inventory.yaml'), 'domain: wire.example.com\n');
    writeFileSync(join(dir, '.wire-install', 'logs', 'apply-1.log'), `turn secret in a log line: ${value}\n`);
    const report: DoctorReport = {
      version: 1,
      inventory: 'inventory.yaml',
      domain: 'wire.example.com',
      startedAt: new Date().toISOString(),
      durationMs: 1,
      groups: ['local'],
      counts: { pass: 0, warn: 0, fail: 0, skip: 0 },
      results: [],
    };
    const context: DoctorContext = {
      inventory: production(),
      inventoryDir: dir,
      inventoryFile: 'inventory.yaml',
      secrets: undefined,
      secretsPath: join(dir, 'secrets.yaml'),
      secretsError: 'secrets.yaml lacks a key',
      hiddenValues: [value],
      dnsServer: undefined,
      bundleRoot: undefined,
      admin: localHost(),
      hosts: new Map(),
      facts: new Map(),
      unreachable: new Map(),
      newHostKeys: new Map(),
      preflight: { allowUnsupportedOs: false, allowUndersized: false },
      installed: { succeededSteps: new Set(), kubeconfig: undefined },
      signal: new AbortController().signal,
      env: process.env,
    };
    const file = join(dir, 'support.tar.gz');
    await writeSupportBundle(file, { context, report });
    const out = mkdtempSync(join(tmpdir(), 'wil-bundle-hidden-out-'));
    execFileSync('tar', ['xzf', file, '-C', out]);
    const texts: string[] = [];
    const walk = (path: string) => {
      for (const entry of readdirSync(path, { withFileTypes: true }))
        entry.isDirectory()
          ? walk(join(path, entry.name))
          : texts.push(readFileSync(join(path, entry.name), 'utf8'));
    };
    walk(out);
    const all = texts.join('\n');
    expect(all).toContain('turn secret in a log line: [redacted]');
    expect(all).not.toContain(value);
  });
});
