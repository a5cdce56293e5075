// The lab play: a small stage of real operations the engine's tests and the benchmark run on
// lab hosts through the real `apply` command (wire-install-lab.mjs puts these stages in place
// of Wire's, which have no operations yet). Plain JavaScript over the built dist/, so it runs
// as a process, Ctrl-C included, exactly like bin/wire-install.
//
// Inputs the tests change live in lab-play.json beside the inventory (all optional):
//   { "greeting": "...", "motd": "...", "slowSeconds": 0, "failOn": "labhost2", "play": "full" | "bench" }
// failOn makes lab.slow fail on that host (exit 3, with a message on stderr). slowSeconds may also
// be per host, { "labhost1": 20, ... } (0 for a host not named): one host idle while others work.
// slowUnitOn runs that host's slow work as a systemd start job (a unit whose start takes
// slowSeconds): a shutdown in the middle cancels it ("Job for wil-slow.service canceled.").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aptPackageOperation, aptRepositoryOperation } from '../../../dist/operations/apt.js';
import { commandOperation } from '../../../dist/operations/command.js';
import { directoryOperation } from '../../../dist/operations/directory.js';
import { fileOperation } from '../../../dist/operations/file.js';
import { sysctlOperation } from '../../../dist/operations/sysctl.js';
import { systemdUnitOperation } from '../../../dist/operations/systemd.js';
import { groupOperation, userOperation } from '../../../dist/operations/user.js';
import { renderTemplate } from '../../../dist/templates/render.js';

const TEMPLATES = new URL('./templates/', import.meta.url);

function readVars(inventoryDir) {
  const defaults = {
    greeting: 'hello',
    motd: 'a wire-install lab host',
    slowSeconds: 0,
    failOn: '',
    play: 'full',
  };
  try {
    return { ...defaults, ...JSON.parse(readFileSync(join(inventoryDir, 'lab-play.json'), 'utf8')) };
  } catch (error) {
    if (error.code === 'ENOENT') return defaults;
    throw error;
  }
}

function template(name, path, values, mode = 0o644) {
  const text = readFileSync(new URL(name, TEMPLATES), 'utf8');
  return fileOperation({ path, content: renderTemplate(text, values, `templates/${name}`), mode }, name);
}

function slowSecondsOn(vars, host) {
  return typeof vars.slowSeconds === 'object'
    ? Number(vars.slowSeconds[host] ?? 0)
    : Number(vars.slowSeconds);
}

function slowWork(vars, host) {
  const seconds = slowSecondsOn(vars, host);
  return host === vars.slowUnitOn
    ? `systemd-run --quiet --unit=wil-slow -p ExecStartPre='/bin/sleep ${seconds}' /bin/true`
    : `sleep ${seconds}`;
}

/** Every host of the inventory, in order. */
const allHosts = (inventory) => inventory.hosts.map((host) => host.name);

function fullPlay(inventory, vars) {
  const hosts = allHosts(inventory);
  return [
    {
      id: 'lab',
      title: 'Lab play: packages, a user, kernel settings, a service',
      steps: [
        {
          id: 'lab.packages',
          title: 'Install wil-hello from the lab repository',
          hosts,
          operations: () => [
            aptRepositoryOperation({
              name: 'wire-install-lab',
              line: 'deb [trusted=yes] file:/srv/lab-apt ./',
            }),
            aptPackageOperation({ name: 'wil-hello' }),
          ],
        },
        {
          id: 'lab.user',
          title: 'The wilhello user and group',
          hosts,
          operations: () => [
            groupOperation({ name: 'wilhello', system: true }),
            userOperation({ name: 'wilhello', system: true, groups: ['wilhello'] }),
          ],
        },
        {
          id: 'lab.sysctl',
          title: 'Kernel settings, persisted',
          hosts,
          operations: () => [
            sysctlOperation({ file: '60-wil-lab.conf', settings: { 'net.ipv4.ip_forward': '1' } }),
          ],
        },
        {
          id: 'lab.hello',
          title: 'Configure and run wil-hello',
          hosts,
          operations: (host) => [
            directoryOperation({ path: '/etc/wil-hello', mode: 0o755, owner: 'wilhello', group: 'wilhello' }),
            template('hello.conf', '/etc/wil-hello/hello.conf', { host: host.name, greeting: vars.greeting }),
            template('wil-hello.service', '/etc/systemd/system/wil-hello.service', {}),
            systemdUnitOperation({
              unit: 'wil-hello.service',
              enabled: true,
              running: true,
              restartWhenChanged: ['/etc/wil-hello/hello.conf', '/etc/systemd/system/wil-hello.service'],
            }),
          ],
        },
        {
          id: 'lab.motd',
          title: 'A message of the day',
          hosts,
          operations: (host) => [template('motd', '/etc/wil-lab-motd', { host: host.name, motd: vars.motd })],
        },
        {
          id: 'lab.slow',
          title: 'Some slow work (a guarded command)',
          hosts,
          operations: (host) => [
            commandOperation({
              name: 'slow work',
              command:
                host.name === vars.failOn
                  ? 'echo "preparing /var/lib/wil-lab"; echo "no space left on /var/lib/wil-lab" >&2; exit 3'
                  : `${slowWork(vars, host.name)} && mkdir -p /var/lib/wil-lab && touch /var/lib/wil-lab/slow.done`,
              creates: '/var/lib/wil-lab/slow.done',
            }),
          ],
        },
      ],
    },
  ];
}

/** The benchmark's play, the same as bench/play.yml for Ansible: facts, copy a file, run a command. */
function benchPlay(inventory, vars) {
  const hosts = allHosts(inventory);
  const content = `bench file ${vars.greeting}\n`;
  return [
    {
      id: 'bench',
      title: 'Benchmark: copy a file, run a command',
      steps: [
        {
          id: 'bench.copy',
          title: 'Copy a file',
          hosts,
          operations: () => [fileOperation({ path: '/etc/wil-bench.txt', content, mode: 0o644 })],
        },
        {
          id: 'bench.command',
          title: 'Run a command',
          hosts,
          operations: () => [
            commandOperation({
              name: 'record the file checksum',
              command: 'sha256sum /etc/wil-bench.txt > /var/tmp/wil-bench.sum',
              unless: 'sha256sum -c --status /var/tmp/wil-bench.sum',
            }),
          ],
        },
      ],
    },
  ];
}

export function labPlay(inventory, inventoryDir) {
  const vars = readVars(inventoryDir);
  return vars.play === 'bench' ? benchPlay(inventory, vars) : fullPlay(inventory, vars);
}
