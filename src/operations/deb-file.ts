import { shellQuote } from '../hosts/become.js';
import { withoutServiceStarts } from './apt.js';
import { CommandFailedError, runOrFail } from './run.js';
import type { Operation, OperationContext } from './types.js';

/**
 * A package installed from a .deb file already on the host (one the bundle ships outside its apt
 * repository, like elasticsearch-oss, docs/wire/install-sequences.md#elasticsearch-install): installed when the installed version
 * differs from the file's. apt installs the local file, so its dependencies come from the
 * configured repositories; its services are not started (withoutServiceStarts): the step's
 * systemd operation starts them once their configuration is written.
 */
export interface DebFileSpec {
  /** The package name, e.g. "elasticsearch-oss". */
  name: string;
  /** The version the file holds, as dpkg shows it. */
  version: string;
  /** Where the .deb is on the host. */
  path: string;
}

async function installedVersion(context: OperationContext, name: string): Promise<string | undefined> {
  const command = `dpkg-query -W -f='\${Status} \${Version}' ${shellQuote(name)}`;
  const result = await context.host.exec(command);
  if (result.exitCode === 1 && /no packages found/.test(result.stderr)) return undefined;
  if (result.exitCode !== 0)
    throw new CommandFailedError(context.host.name, `dpkg-query ${name}`, command, result);
  const [, , state, version] = result.stdout.trim().split(' ');
  return state === 'installed' ? version : undefined;
}

export function debFileOperation(spec: DebFileSpec): Operation {
  const planned = async (context: OperationContext) => {
    const version = await installedVersion(context, spec.name);
    if (version === spec.version) return undefined;
    return version === undefined
      ? `install ${spec.name} ${spec.version} from ${spec.path}`
      : `change ${spec.name} ${version} -> ${spec.version} from ${spec.path}`;
  };
  return {
    kind: 'deb-file',
    target: spec.name,
    inputs: { ...spec },
    async check(context) {
      const change = await planned(context);
      return { changes: change ? [change] : [], notes: [] };
    },
    async apply(context) {
      const change = await planned(context);
      if (!change) return { changes: [], notes: [] };
      const install = [
        'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends',
        '-o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=120 --allow-downgrades',
        shellQuote(spec.path),
      ].join(' ');
      await runOrFail(context.host, `installing ${spec.path}`, withoutServiceStarts(install), {
        next: `look at the file and its dependencies: dpkg-deb -I ${spec.path}`,
      });
      const now = await installedVersion(context, spec.name);
      if (now !== spec.version)
        throw new Error(
          `${context.host.name}: ${spec.path} installed ${spec.name} ${now ?? '(nothing)'}, not ${spec.version}`,
        );
      return { changes: [change], notes: [] };
    },
  };
}
