import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDns, resolverLookup } from '../../../src/preflight/dns.js';
import { REPO_ROOT, runCli } from '../../cli/run-cli.js';
import { freeLoopbackPort, startDnsmasq, type TestDns } from '../../support/dnsmasq.js';
import { production } from '../../support/inventories.js';

/**
 * Wire's names asked of a real DNS server: dnsmasq on 127.0.0.1 at a free port, answering only
 * from the records given here (no upstream, no /etc/hosts, no resolv.conf), so nothing leaves
 * this machine.
 */

let dns: TestDns;
let server = '';

const domain = production().domain;
const at = (label: string) => `${label}.${domain}`;

beforeAll(async () => {
  dns = await startDnsmasq(domain, {
    [at('nginz-https')]: '203.0.113.10',
    [at('nginz-ssl')]: '203.0.113.10',
    [at('webapp')]: '203.0.113.10',
    [at('assets')]: '203.0.113.10',
    [at('account')]: '203.0.113.11',
    // teams is missing, sftd is missing
  });
  server = dns.server;
});
afterAll(() => dns?.stop());

describe("preflight of Wire's DNS names", () => {
  it('reports each missing name, and names that point elsewhere', async () => {
    const inventory = production();
    const findings = await checkDns(inventory, resolverLookup(server), server);
    const missing = findings.filter((f) => f.rule === 'preflight.dns');
    expect(missing.map((f) => f.message.split(' ')[0])).toEqual([`teams.${domain}`, `sftd.${domain}`]);
    // The example production inventory uses cert-manager: Let's Encrypt needs the names.
    expect(missing.every((f) => f.severity === 'error')).toBe(true);
    const spread = findings.find((f) => f.rule === 'preflight.dns-consistent');
    expect(spread?.measured).toContain(`account.${domain} 203.0.113.11`);
  });

  it('only warns about missing names when no certificate depends on them', async () => {
    const inventory = production((input) => {
      input.certificates = { mode: 'self-signed' };
    });
    const findings = await checkDns(inventory, resolverLookup(server), server);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('says so when the server does not answer at all', async () => {
    const silent = `127.0.0.1:${await freeLoopbackPort()}`;
    const [finding, ...rest] = await checkDns(production(), resolverLookup(silent), silent);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: 'error', rule: 'preflight.dns-resolver' });
    expect(finding?.fix).toContain(silent);
  });
});

describe('apply --only preflight.dns', () => {
  it('asks the server given with --dns-server, on the admin host only, and fails on the missing names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-dns-apply-'));
    copyFileSync(join(REPO_ROOT, 'inventory.example.yaml'), join(dir, 'inventory.yaml'));
    const run = await runCli(['apply', '--only', 'preflight.dns', '--dns-server', server], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(
      `error preflight.dns: teams.${domain} (team settings) does not resolve with the DNS server ${server}`,
    );
    expect(run.stderr).not.toContain(`webapp.${domain}`.concat(' (web client) does not resolve'));
  }, 30_000);
});
