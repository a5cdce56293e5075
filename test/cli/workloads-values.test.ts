import { cpSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ensureSecretsFile } from '../../src/secrets/file.js';
import type { WireSecrets } from '../../src/secrets/generate.js';
import { secretValues } from '../../src/secrets/redact.js';
import { demoInput } from '../support/inventories.js';
import { upstreamRoot } from '../support/upstream-charts.js';
import { runCli } from './run-cli.js';

/**
 * workloads.values through the built CLI (`apply --only workloads.values`): it runs on the
 * admin host only (this machine), reads Wire's real example values (the pinned wire-develop
 * set, copied into the test's bundle) and secrets.yaml, and contacts no host and no cluster.
 */
const FIXTURE = join(upstreamRoot(), 'wire-develop', 'values');

async function installation() {
  const dir = mkdtempSync(join(tmpdir(), 'wil-values-'));
  const input = demoInput();
  input.bundle = { path: 'bundle' };
  writeFileSync(join(dir, 'inventory.yaml'), yaml.dump(input));
  cpSync(FIXTURE, join(dir, 'bundle', 'values'), { recursive: true });
  const { secrets } = await ensureSecretsFile(join(dir, 'secrets.yaml'));
  const run = async (args: string[]) => {
    const result = await runCli(['apply', '-i', 'inventory.yaml', '--only', 'workloads.values', ...args], {
      cwd: dir,
    });
    return { ...result, text: `${result.stdout}\n${result.stderr}` };
  };
  return { dir, run, secrets: secretValues(secrets as WireSecrets).filter((value) => value.length >= 8) };
}

describe('apply --only workloads.values', () => {
  it('renders every chart and passes; no secret in the output', async () => {
    const wire = await installation();
    const result = await wire.run([]);
    expect(result.exitCode, result.text).toBe(0);
    expect(result.text).toContain('14 charts rendered');
    for (const secret of wire.secrets) expect(result.text).not.toContain(secret);
  });

  it('stops when the federation domain differs from the values kept from the last apply', async () => {
    const wire = await installation();
    mkdirSync(join(wire.dir, '.wire-install', 'values'), { recursive: true });
    writeFileSync(
      join(wire.dir, '.wire-install', 'values', 'wire-server.yaml'),
      'brig:\n  config:\n    optSettings:\n      setFederationDomain: old.example.org\n',
    );
    const result = await wire.run([]);
    expect(result.exitCode, result.text).toBe(1);
    expect(result.text).toContain('values.federation-domain');
    expect(result.text).toContain('set wire.federation.domain back to old.example.org');
  });

  it('a bundle example that is not YAML is bad input naming the file, exit 2, no stack', async () => {
    const wire = await installation();
    writeFileSync(
      join(wire.dir, 'bundle', 'values', 'webapp', 'demo-values.example.yaml'),
      'envVars: [unclosed\n',
    );
    const result = await wire.run(['--plan']);
    expect(result.exitCode, result.text).toBe(2);
    expect(result.text).toContain('bundle/values/webapp/demo-values.example.yaml');
    expect(result.text).not.toMatch(/\n\s+at /);
  });

  it('an older secrets.yaml: --plan says which keys apply adds and leaves the file; apply adds them and keeps every value', async () => {
    const wire = await installation();
    const path = join(wire.dir, 'secrets.yaml');
    const older = yaml.load(readFileSync(path, 'utf8')) as Record<string, unknown>;
    delete older.nginzBasicAuth;
    delete older.elasticsearch;
    writeFileSync(path, yaml.dump(older), { mode: 0o600 });
    const text = readFileSync(path, 'utf8');

    const plan = await wire.run(['--plan']);
    expect(plan.exitCode, plan.text).toBe(0);
    expect(plan.text).toContain('lacks keys this version needs; apply adds them');
    expect(plan.text).toContain('nginzBasicAuth.username, nginzBasicAuth.password, elasticsearch.password');
    expect(readFileSync(path, 'utf8')).toBe(text);

    const applied = await wire.run([]);
    expect(applied.exitCode, applied.text).toBe(0);
    expect(applied.text).toContain('added the keys this version needs, existing values unchanged');
    const after = yaml.load(readFileSync(path, 'utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(older)) expect(after[key], key).toEqual(value);
    expect(Object.keys(after)).toEqual(expect.arrayContaining(['nginzBasicAuth', 'elasticsearch']));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    for (const secret of wire.secrets) expect(applied.text).not.toContain(secret);
  });
});
