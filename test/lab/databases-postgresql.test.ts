import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, type LabWorkspace, labWorkspace } from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * PostgreSQL on the lab's postgresql hosts by Wire's stages through bin/wire-install: the real
 * packages from the lab's repository, labhost1 the primary with the wire-server role and
 * database, labhost2 and labhost3 standbys cloned from it and streaming, verified by
 * pg_stat_replication on the primary and by a row written on the primary read on a standby.
 */

const HOSTS = labHosts().slice(0, 5);
const [PRIMARY, STANDBY, THIRD] = HOSTS;
const ONLY = [
  '--only',
  'preflight.ssh,preflight.host-facts,bootstrap-host,databases.postgresql-primary,databases.postgresql-standbys,databases.postgresql-health',
];
let workspace: LabWorkspace;
const psql = (sql: string) => `runuser -u postgres -- psql -X -At -d wire-server -c "${sql}"`;

beforeAll(async () => {
  await freshHosts(HOSTS);
  workspace = labWorkspace(5);
  await withSecrets(workspace);
}, 120_000);
afterAll(() => freshHosts(HOSTS), 120_000);

describe('PostgreSQL on the lab', () => {
  let planned: Map<string, string[]>;
  const key = (event: { step: string; host: string }) => `${event.step} ${event.host}`;

  it('refuses to start while another program holds the PostgreSQL port', async () => {
    await onHost(PRIMARY, 'systemd-run --unit wil-port-blocker python3 -m http.server 5432 >/dev/null 2>&1');
    try {
      let listening = '';
      for (let attempt = 0; attempt < 50 && !listening.includes(':5432'); attempt += 1)
        listening = await onHost(PRIMARY, 'ss -Hltn');
      const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW]);
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(
        `${PRIMARY?.name}: port 5432, which PostgreSQL needs (role postgresql), is already taken by python3`,
      );
    } finally {
      await onHost(PRIMARY, 'systemctl stop wil-port-blocker');
    }
  });

  it('plans the primary and the standbys before anything is installed', async () => {
    const plan = await runWireCli(workspace, ['apply', '--plan', ...ONLY, ...ALLOW, '--json']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    planned = new Map(finished(plan.events).map((e) => [key(e), e.changes]));
    expect(planned.get(`databases.postgresql-standbys ${STANDBY?.name}`)).toContain(
      `clone the data from ${PRIMARY?.address} (pg_basebackup) and follow it`,
    );
  });

  it('sets up a primary with two streaming standbys, as planned', async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    for (const step of finished(run.events).filter((e) => e.step.startsWith('databases.postgresql')))
      expect(step.changes, key(step)).toEqual(planned.get(key(step)) ?? []);
    const replication = await onHost(
      PRIMARY,
      `runuser -u postgres -- psql -X -At -c "SELECT host(client_addr) || ' ' || state FROM pg_stat_replication ORDER BY 1"`,
    );
    expect(replication.trim().split('\n')).toEqual([
      `${STANDBY?.address} streaming`,
      `${THIRD?.address} streaming`,
    ]);
    await onHost(
      PRIMARY,
      psql("CREATE TABLE lab_probe (v text); INSERT INTO lab_probe VALUES ('from the primary')"),
    );
    let seen = '';
    for (let attempt = 0; attempt < 50 && seen === ''; attempt += 1) {
      seen = (await onHost(STANDBY, `${psql('SELECT v FROM lab_probe')} 2>/dev/null`)).trim();
      if (seen === '') await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toBe('from the primary');
    expect((await onHost(STANDBY, psql('SELECT pg_is_in_recovery()'))).trim()).toBe('t');
  }, 300_000);

  it('changes nothing on a second apply, and the health check asks the primary again', async () => {
    const run = await runWireCli(workspace, ['apply', ...ONLY, ...ALLOW, '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    const postgres = finished(run.events).filter((e) => e.step.startsWith('databases.postgresql'));
    expect(postgres.filter((e) => e.status === 'changed')).toEqual([]);
    expect(postgres.find((e) => e.step === 'databases.postgresql-health')?.status).toBe('unchanged');
  }, 60_000);

  it('doctor --only drift finds a stopped standby and a hand-edited configuration; apply --check-drift repairs them', async () => {
    await onHost(
      PRIMARY,
      'for f in /etc/postgresql/*/main/conf.d/wire-install.conf; do echo \'# edited by hand\' >> "$f"; done',
    );
    await onHost(STANDBY, "systemctl stop 'postgresql@*-main.service'");
    interface Result {
      check: string;
      status: string;
      host?: string;
      summary: string;
      evidence: string[];
      fix?: string;
    }
    const drift = async () => {
      const run = await runWireCli(workspace, ['doctor', '--only', 'drift', '--json', ...ALLOW]);
      return { exitCode: run.exitCode, results: (JSON.parse(run.stdout) as { results: Result[] }).results };
    };
    const found = await drift();
    expect(found.exitCode).toBe(3);
    const fails = found.results.filter((r) => r.status === 'fail');
    expect(fails.map((r) => [r.check, r.host, r.summary])).toEqual([
      [
        'drift.steps',
        PRIMARY?.name,
        `${PRIMARY?.name}: databases.postgresql-primary no longer matches what it applied`,
      ],
      [
        'drift.steps',
        STANDBY?.name,
        `${STANDBY?.name}: databases.postgresql-standbys no longer matches what it applied`,
      ],
    ]);
    expect(fails[0]?.evidence.join('\n')).toContain('conf.d/wire-install.conf');
    expect(fails[1]?.evidence).toEqual(['would start the PostgreSQL cluster main']);
    expect(fails[0]?.fix).toContain('--check-drift --only databases.postgresql-primary');
    // The hosts are the machines the last apply worked on.
    expect(found.results.find((r) => r.check === 'drift.hosts')?.status).toBe('pass');

    const plan = await runWireCli(workspace, [
      'apply',
      '--plan',
      '--check-drift',
      ...ONLY,
      ...ALLOW,
      '--json',
    ]);
    // The health check runs in a plan too, and the stopped standby fails it: exit 1, drift shown.
    expect(plan.exitCode, plan.stdout).toBe(1);
    expect(plan.events.filter((e) => e.type === 'failure')).toMatchObject([
      { host: PRIMARY?.name, step: 'databases.postgresql-health' },
    ]);
    expect(
      finished(plan.events)
        .filter((e) => e.drift)
        .map(key)
        .sort(),
    ).toEqual([
      `databases.postgresql-primary ${PRIMARY?.name}`,
      `databases.postgresql-standbys ${STANDBY?.name}`,
    ]);

    const repair = await runWireCli(workspace, ['apply', '--check-drift', ...ONLY, ...ALLOW, '--json']);
    expect(repair.exitCode, JSON.stringify(repair.events.filter((e) => e.type === 'failure'))).toBe(0);
    // The primary restarted for its configuration: the standbys reconnect within seconds.
    let streaming = '';
    for (let attempt = 0; attempt < 100 && streaming !== '2'; attempt += 1) {
      streaming = (
        await onHost(
          PRIMARY,
          `runuser -u postgres -- psql -X -At -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"`,
        )
      ).trim();
      if (streaming !== '2') await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(streaming).toBe('2');
    const after = await drift();
    expect(after.exitCode).toBe(0);
    expect(after.results.filter((r) => r.status === 'fail' || r.status === 'warn')).toEqual([]);
  }, 120_000);
});
