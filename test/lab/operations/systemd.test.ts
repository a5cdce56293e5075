import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileOperation } from '../../../src/operations/file.js';
import { systemdUnitOperation } from '../../../src/operations/systemd.js';
import type { Operation } from '../../../src/operations/types.js';
import { connectOpsLab, type OpsLab, runStep } from './lab-context.js';

/**
 * A service brought up by a step of three operations (its configuration, its unit file, the unit)
 * on the fifth lab host: started and enabled, restarted when its configuration changes (in the
 * same step, or by an earlier run that failed before the restart), left alone otherwise.
 */

const unit = 'wil-ops-test-hello.service';
const unitPath = `/etc/systemd/system/${unit}`;
const confDir = '/etc/wil-ops-test-systemd';
const conf = `${confDir}/hello.conf`;
const unitFile = [
  '[Unit]',
  'Description=wire-install operation test service',
  '[Service]',
  `ExecStart=/bin/sh -c 'while :; do cat ${conf} > /run/wil-ops-test-hello.seen; sleep 1; done'`,
  '[Install]',
  'WantedBy=multi-user.target',
  '',
].join('\n');

const step = (content: string, description = 'wire-install operation test service'): Operation[] => [
  fileOperation({ path: conf, content, mode: 0o644 }),
  fileOperation({
    path: unitPath,
    content: unitFile.replace(/^Description=.*$/m, `Description=${description}`),
    mode: 0o644,
  }),
  systemdUnitOperation({ unit, enabled: true, running: true, restartWhenChanged: [conf] }),
];
let lab: OpsLab;
const mainPid = async () => (await lab.sh(`systemctl show -p MainPID --value ${unit}`)).trim();

const clean = () =>
  lab.sh(
    `systemctl disable --now ${unit} 2>/dev/null; rm -rf ${unitPath} ${confDir} /run/wil-ops-test-hello.seen && systemctl daemon-reload && systemctl reset-failed ${unit} 2>/dev/null; true`,
  );

beforeAll(async () => {
  lab = await connectOpsLab();
  await clean();
  await lab.sh(`mkdir -p ${confDir}`);
});
afterAll(async () => {
  await clean();
  lab.host.close();
});

describe('systemd unit operation', () => {
  const started = [`daemon-reload (${unit} changed on disk)`, `enable ${unit}`, `start ${unit}`];

  it('plans a reload, enable and start (and no restart) for a new service', async () => {
    const outcomes = await runStep(step('greeting=hello\n'), lab.context(), 'check');
    expect(outcomes[2]).toEqual({ changes: started, notes: [] });
    expect((await lab.sh(`systemctl is-active ${unit} || true`)).trim()).toBe('inactive');
  });

  it('enables and starts it', async () => {
    const outcomes = await runStep(step('greeting=hello\n'), lab.context(), 'apply');
    expect(outcomes[2]?.changes).toEqual(started);
    expect(await lab.sh(`systemctl is-active ${unit}; systemctl is-enabled ${unit}`)).toBe(
      'active\nenabled\n',
    );
    expect(Number(await mainPid())).toBeGreaterThan(0);
  });

  it('has nothing to do the second time, and does not restart', async () => {
    const before = await mainPid();
    for (const mode of ['check', 'apply'] as const) {
      const outcomes = await runStep(step('greeting=hello\n'), lab.context(), mode);
      expect(outcomes.flatMap((outcome) => outcome.changes)).toEqual([]);
    }
    expect(await mainPid()).toBe(before);
  });

  it('restarts when the step changes its configuration, shown in the plan', async () => {
    const before = await mainPid();
    const planned = await runStep(step('greeting=changed\n'), lab.context(), 'check');
    expect(planned[2]?.changes).toEqual([`restart ${unit} (${conf} changed)`]);
    expect(await mainPid()).toBe(before);

    const applied = await runStep(step('greeting=changed\n'), lab.context(), 'apply');
    expect(applied[2]?.changes).toEqual([`restart ${unit} (${conf} changed)`]);
    const after = await mainPid();
    expect(after).not.toBe(before);
    expect(await lab.sh(`systemctl is-active ${unit}`)).toBe('active\n');
    expect((await runStep(step('greeting=changed\n'), lab.context(), 'check'))[2]?.changes).toEqual([]);
  });

  it('still restarts on the next run when a run changed the file but stopped before the restart', async () => {
    const before = await mainPid();
    // The configuration step of an interrupted run: the file is written, the unit never ran.
    await runStep(step('greeting=interrupted\n').slice(0, 2), lab.context(), 'apply');
    const next = lab.context(); // a new run: nothing in changedPaths
    const outcomes = await runStep(step('greeting=interrupted\n'), next, 'apply');
    expect(outcomes[0]?.changes).toEqual([]);
    expect(outcomes[2]?.changes).toEqual([`restart ${unit} (${conf} changed)`]);
    expect(await mainPid()).not.toBe(before);
    expect((await runStep(step('greeting=interrupted\n'), lab.context(), 'check'))[2]?.changes).toEqual([]);
  });

  it('reloads systemd when the unit file changed, without a restart it does not watch', async () => {
    const before = await mainPid();
    const changed = step('greeting=interrupted\n', 'changed description');
    const reload = `daemon-reload (${unit} changed on disk)`;
    expect((await runStep(changed, lab.context(), 'check'))[2]?.changes).toEqual([reload]);
    expect((await runStep(changed, lab.context(), 'apply'))[2]?.changes).toEqual([reload]);
    expect(await lab.sh(`systemctl show -p NeedDaemonReload -p Description ${unit}`)).toBe(
      'Description=changed description\nNeedDaemonReload=no\n',
    );
    expect(await mainPid()).toBe(before);
    // Changed behind wire-install's back: systemd itself says a reload is needed.
    await lab.sh(`sed -i 's/^Description=.*/Description=by hand/' ${unitPath}`);
    expect(
      (await systemdUnitOperation({ unit, enabled: true, running: true }).apply(lab.context())).changes,
    ).toEqual([reload]);
    expect(await lab.sh(`systemctl show -p Description --value ${unit}`)).toBe('by hand\n');
  });

  it('stops and disables it', async () => {
    const operation = systemdUnitOperation({
      unit,
      enabled: false,
      running: false,
      restartWhenChanged: [conf],
    });
    expect((await operation.apply(lab.context())).changes).toEqual([`disable ${unit}`, `stop ${unit}`]);
    expect(await lab.sh(`systemctl is-active ${unit}; systemctl is-enabled ${unit}; true`)).toBe(
      'inactive\ndisabled\n',
    );
    expect((await operation.check(lab.context())).changes).toEqual([]);
  });
});
