import { WireInstallError } from '../core/errors.js';
import { shellQuote } from '../hosts/become.js';
import { runOrFail } from './run.js';
import type { Operation, OperationContext, OperationOutcome } from './types.js';

/**
 * Local groups and users, read with getent (so NSS sources count) and made with the shadow tools
 * (groupadd, useradd, usermod), which every Debian and Ubuntu has. An existing user is brought to
 * the wanted shell, home and supplementary groups; groups are only ever added (usermod -a -G),
 * never removed, since other software may have added the user to its own. A group that exists
 * with another gid is a failure, not changed: files owned by the old gid would be orphaned.
 */
export interface GroupSpec {
  name: string;
  system?: boolean;
  gid?: number;
}

export interface UserSpec {
  name: string;
  system?: boolean;
  home?: string;
  shell?: string;
  /** Supplementary groups; they must exist. */
  groups?: string[];
  /** Create the home directory when creating the user; unset: useradd's default. */
  createHome?: boolean;
}

const NAME = /^[a-z_][a-z0-9_-]*\$?$/;
const checkName = (name: string) => {
  if (!NAME.test(name) || name.length > 32) throw new Error(`bad user or group name: ${name}`);
};

export function groupOperation(spec: GroupSpec): Operation {
  checkName(spec.name);
  const check = async (context: OperationContext): Promise<OperationOutcome> => {
    const { host } = context;
    const result = await runOrFail(
      host,
      `looking up group ${spec.name}`,
      `getent group ${shellQuote(spec.name)} || true`,
    );
    const gid = result.stdout.trim().split(':')[2];
    if (gid === undefined) return { changes: [`create group ${spec.name}`], notes: [] };
    if (spec.gid !== undefined && Number(gid) !== spec.gid)
      throw new WireInstallError({
        what: `${host.name}: group ${spec.name} exists with gid ${gid}, not ${spec.gid}`,
        host: host.name,
        next: `change its gid by hand (groupmod -g ${spec.gid} ${spec.name}, then re-own its files), or drop the gid from the configuration`,
      });
    return { changes: [], notes: [] };
  };
  return {
    kind: 'group',
    target: spec.name,
    inputs: { ...spec },
    check,
    async apply(context) {
      const outcome = await check(context);
      if (outcome.changes.length === 0) return outcome;
      const options = [
        ...(spec.system ? ['--system'] : []),
        ...(spec.gid !== undefined ? [`--gid ${spec.gid}`] : []),
      ];
      await runOrFail(
        context.host,
        `creating group ${spec.name}`,
        `groupadd ${[...options, shellQuote(spec.name)].join(' ')}`,
      );
      return outcome;
    },
  };
}

interface UserPlan {
  changes: string[];
  /** The useradd or usermod command, when something differs. */
  command?: string;
}

export function userOperation(spec: UserSpec): Operation {
  checkName(spec.name);
  for (const group of spec.groups ?? []) checkName(group);
  const name = shellQuote(spec.name);
  const planned = async (context: OperationContext): Promise<UserPlan> => {
    const script = `getent passwd ${name} || echo; id -nG ${name} 2>/dev/null || echo; getent group ${name} >/dev/null && echo group || echo`;
    const result = await runOrFail(context.host, `looking up user ${spec.name}`, script);
    const [passwd = '', groupsLine = '', ownGroup = ''] = result.stdout.split('\n');
    const groups = spec.groups ?? [];
    if (!passwd.trim()) {
      const options = [
        ...(spec.system ? ['--system'] : []),
        ...(spec.home ? [`--home-dir ${shellQuote(spec.home)}`] : []),
        ...(spec.shell ? [`--shell ${shellQuote(spec.shell)}`] : []),
        ...(spec.createHome === true
          ? ['--create-home']
          : spec.createHome === false
            ? ['--no-create-home']
            : []),
        ...(groups.length > 0 ? [`--groups ${shellQuote(groups.join(','))}`] : []),
        // useradd makes a group of the user's name, and fails when one exists (a group operation made it).
        ...(ownGroup === 'group' ? [`--gid ${name}`] : []),
      ];
      return { changes: [`create user ${spec.name}`], command: `useradd ${[...options, name].join(' ')}` };
    }
    const [, , , , , home, shell] = passwd.split(':');
    const member = new Set(groupsLine.trim().split(/\s+/));
    const missing = groups.filter((group) => !member.has(group));
    const changes: string[] = [];
    const options: string[] = [];
    if (spec.shell && shell !== spec.shell) {
      changes.push(`set shell of user ${spec.name} ${shell} -> ${spec.shell}`);
      options.push(`--shell ${shellQuote(spec.shell)}`);
    }
    if (spec.home && home !== spec.home) {
      changes.push(`set home of user ${spec.name} ${home} -> ${spec.home}`);
      options.push(`--home ${shellQuote(spec.home)}`);
    }
    if (missing.length > 0) {
      changes.push(`add user ${spec.name} to ${missing.join(', ')}`);
      options.push(`--append --groups ${shellQuote(missing.join(','))}`);
    }
    return options.length > 0 ? { changes, command: `usermod ${[...options, name].join(' ')}` } : { changes };
  };
  return {
    kind: 'user',
    target: spec.name,
    inputs: { ...spec },
    async check(context) {
      return { changes: (await planned(context)).changes, notes: [] };
    },
    async apply(context) {
      const plan = await planned(context);
      if (plan.command) await runOrFail(context.host, plan.changes.join('; '), plan.command);
      return { changes: plan.changes, notes: [] };
    },
  };
}
