import { shellQuote } from '../hosts/become.js';
import type { RemoteHost } from '../hosts/types.js';
import { applyFile, checkFile, type FileChange, type FileSpec } from './file.js';
import { CommandFailedError, runOrFail } from './run.js';
import type { Operation, OperationContext, OperationOutcome } from './types.js';

/**
 * An apt repository and a package from it. The repository is one file in sources.list.d, and
 * `apt-get update` runs for that file alone (the other sources are neither fetched nor cleaned),
 * only when the file changed or apt holds no index of it: a second run touches no network.
 * A package is checked with dpkg-query and installed with apt-get, never asking (noninteractive,
 * existing configuration files kept) and waiting for the dpkg lock that unattended-upgrades holds.
 */
export interface AptRepositorySpec {
  /** File name without .list, e.g. "wire". */
  name: string;
  /** One sources.list line, e.g. "deb [signed-by=/etc/apt/keyrings/wire.asc] https://... bookworm main". */
  line: string;
}

export interface AptPackageSpec {
  name: string;
  /** Exact version (as apt-cache policy shows it); without it, any installed version is current. */
  version?: string;
}

const NONINTERACTIVE = 'DEBIAN_FRONTEND=noninteractive';
const LOCK_TIMEOUT = '-o DPkg::Lock::Timeout=120';

const describe = (change: FileChange): string[] =>
  change.action === 'none' ? [] : [`${change.action} ${change.path} (${change.differences.join(', ')})`];

export function aptRepositoryOperation(spec: AptRepositorySpec): Operation {
  if (!/^[A-Za-z0-9_.-]+$/.test(spec.name)) throw new Error(`bad apt repository name: ${spec.name}`);
  const relative = `sources.list.d/${spec.name}.list`;
  const file: FileSpec = {
    path: `/etc/apt/${relative}`,
    content: `${spec.line.trim()}\n`,
    mode: 0o644,
    owner: 'root',
    group: 'root',
  };
  const only = [
    `-o Dir::Etc::sourcelist=${shellQuote(relative)}`,
    '-o Dir::Etc::sourceparts=-',
    '-o APT::Get::List-Cleanup=0',
  ].join(' ');
  /** indextargets lists only the indexes present on disk: none means never fetched (or removed). */
  const listsMissing = async (host: RemoteHost) => {
    const result = await runOrFail(
      host,
      `looking for the package lists of ${spec.name}`,
      `apt-get indextargets ${only} --format '$(FILENAME)'`,
    );
    return result.stdout.trim() === '';
  };
  const run = async (context: OperationContext, write: boolean): Promise<OperationOutcome> => {
    const change = await (write ? applyFile : checkFile)(context.host, file);
    if (change.action !== 'none') context.changedPaths.add(file.path);
    const update = change.action !== 'none' || (await listsMissing(context.host));
    if (update && write)
      await runOrFail(
        context.host,
        `apt-get update for ${relative}`,
        `${NONINTERACTIVE} apt-get update ${only} ${LOCK_TIMEOUT}`,
        { next: `check the line in /etc/apt/${relative} and that the host reaches the repository` },
      );
    const changes = [...describe(change), ...(update ? [`update package lists of ${relative}`] : [])];
    return { changes, notes: [] };
  };
  return {
    kind: 'apt-repository',
    target: spec.name,
    inputs: { name: spec.name, line: spec.line.trim() },
    check: (context) => run(context, false),
    apply: (context) => run(context, true),
  };
}

/** The installed version, or undefined when the package is not installed (or only its config files are). */
async function installedVersion(host: RemoteHost, name: string): Promise<string | undefined> {
  const command = `dpkg-query -W -f='\${Status} \${Version}' ${shellQuote(name)}`;
  const result = await host.exec(command);
  if (result.exitCode === 1 && /no packages found/.test(result.stderr)) return undefined;
  if (result.exitCode !== 0) throw new CommandFailedError(host.name, `dpkg-query ${name}`, command, result);
  const [, , state, version] = result.stdout.trim().split(' ');
  return state === 'installed' ? version : undefined;
}

/**
 * Packages must not start their services with the package's default configuration (RabbitMQ
 * with a fresh Erlang cookie, PostgreSQL with its own cluster settings): a policy-rc.d that
 * refuses starts is in place while apt runs (Debian's documented way), and the step's own
 * systemd operation starts the service once its configuration is written. An existing
 * policy-rc.d (a container image's) is left alone.
 */
export function withoutServiceStarts(command: string): string {
  const policy = '/usr/sbin/policy-rc.d';
  return [
    // Ours, left by a run that was killed mid-install, is replaced and removed like a fresh one.
    `if [ -e ${policy} ] && ! grep -q 'wire-install: no service starts' ${policy}; then ${command}; else`,
    `printf '#!/bin/sh\\n# wire-install: no service starts while packages install\\nexit 101\\n' > ${policy} && chmod 755 ${policy} &&`,
    `{ ${command}; rc=$?; rm -f ${policy}; exit $rc; }; fi`,
  ].join(' ');
}

export function aptPackageOperation(spec: AptPackageSpec): Operation {
  const planned = async (context: OperationContext) => {
    const version = await installedVersion(context.host, spec.name);
    if (version === undefined)
      return { change: `install ${spec.name} ${spec.version ?? '(not installed)'}`, downgrade: false };
    if (spec.version === undefined || version === spec.version) return undefined;
    const older = await context.host.exec(
      `dpkg --compare-versions ${shellQuote(version)} gt ${shellQuote(spec.version)}`,
    );
    const downgrade = older.exitCode === 0;
    const verb = downgrade ? 'downgrade' : 'upgrade';
    return { change: `${verb} ${spec.name} ${version} -> ${spec.version}`, downgrade };
  };
  return {
    kind: 'apt-package',
    target: spec.name,
    inputs: { name: spec.name, version: spec.version },
    async check(context) {
      const plan = await planned(context);
      return { changes: plan ? [plan.change] : [], notes: [] };
    },
    async apply(context) {
      const plan = await planned(context);
      if (!plan) return { changes: [], notes: [] };
      const target = spec.version ? `${spec.name}=${spec.version}` : spec.name;
      const install = [
        `${NONINTERACTIVE} apt-get install -y --no-install-recommends`,
        '-o Dpkg::Options::=--force-confold',
        LOCK_TIMEOUT,
        ...(plan.downgrade ? ['--allow-downgrades'] : []),
        shellQuote(target),
      ].join(' ');
      await runOrFail(context.host, `installing ${target}`, withoutServiceStarts(install), {
        next: `check that a configured repository offers it: apt-cache policy ${spec.name}`,
      });
      return { changes: [plan.change], notes: [] };
    },
  };
}
