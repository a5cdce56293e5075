import { shellQuote } from '../hosts/become.js';
import { readHostFile } from '../hosts/read-file.js';
import { applyFile, checkFile } from './file.js';
import { withBlock } from './managed-block.js';
import { runOrFail } from './run.js';
import { systemdUnitOperation } from './systemd.js';
import type { Operation, OperationContext, OperationOutcome } from './types.js';

/**
 * The Debian/Ubuntu PostgreSQL cluster "main", whatever the version the bundle's packages bring
 * (Wire ships 17; the version is found on the host when the step runs, after the package is
 * installed in the same step): our settings in conf.d, our block in pg_hba.conf, and the
 * cluster's unit running, restarted when either changed. The plan names the cluster, not a
 * version it cannot know before the package is there.
 */
export interface PostgresClusterSpec {
  /** The whole of conf.d/wire-install.conf. */
  config: string;
  /** Lines of the wire-install block in pg_hba.conf. */
  hba: readonly string[];
}

const CLUSTER = 'the PostgreSQL cluster main';

export async function postgresVersion(context: OperationContext): Promise<string | undefined> {
  const result = await context.host.exec('ls -1 /etc/postgresql 2>/dev/null | sort -n | tail -1');
  const version = result.stdout.trim();
  return /^\d+$/.test(version) ? version : undefined;
}

export const clusterPaths = (version: string) => ({
  config: `/etc/postgresql/${version}/main/conf.d/wire-install.conf`,
  hba: `/etc/postgresql/${version}/main/pg_hba.conf`,
  data: `/var/lib/postgresql/${version}/main`,
  unit: `postgresql@${version}-main.service`,
});

/** Lines without the version: the same in the plan (before install) and in apply. */
const general = (line: string, version: string) =>
  line
    .replaceAll(`postgresql@${version}-main.service`, CLUSTER)
    .replaceAll(`/etc/postgresql/${version}/main/`, '<cluster>/');

export function postgresClusterOperation(spec: PostgresClusterSpec): Operation {
  const run = async (context: OperationContext, mode: 'check' | 'apply'): Promise<OperationOutcome> => {
    const version = await postgresVersion(context);
    if (!version) {
      if (mode === 'apply')
        throw new Error(`${context.host.name}: PostgreSQL is not installed (no /etc/postgresql/<version>)`);
      return {
        changes: [
          'create <cluster>/conf.d/wire-install.conf (new file)',
          'update the wire-install block in <cluster>/pg_hba.conf',
          `start ${CLUSTER}`,
        ],
        notes: [],
      };
    }
    const paths = clusterPaths(version);
    const hbaNow = (await readHostFile(context.host, paths.hba)) ?? '';
    const files = [
      { path: paths.config, content: spec.config, mode: 0o644, owner: 'postgres', group: 'postgres' },
      {
        path: paths.hba,
        content: withBlock(hbaNow, 'wire-install', spec.hba),
        mode: 0o640,
        owner: 'postgres',
        group: 'postgres',
      },
    ];
    const changes: string[] = [];
    if (mode === 'apply')
      await runOrFail(
        context.host,
        'creating conf.d',
        `mkdir -p ${shellQuote(`/etc/postgresql/${version}/main/conf.d`)}`,
      );
    for (const file of files) {
      const change =
        mode === 'check' ? await checkFile(context.host, file) : await applyFile(context.host, file);
      if (change.action === 'none') continue;
      context.changedPaths.add(file.path);
      changes.push(
        file.path === paths.hba
          ? `update the wire-install block in ${paths.hba}`
          : `${change.action} ${file.path} (${change.differences.join(', ')})`,
      );
    }
    const unit = systemdUnitOperation({
      unit: paths.unit,
      enabled: true,
      running: true,
      restartWhenChanged: [paths.config, paths.hba],
    });
    const service = mode === 'check' ? await unit.check(context) : await unit.apply(context);
    return {
      changes: [...changes, ...service.changes].map((line) => general(line, version)),
      notes: service.notes,
    };
  };
  return {
    kind: 'postgresql-cluster',
    target: 'main',
    inputs: spec,
    check: (context) => run(context, 'check'),
    apply: (context) => run(context, 'apply'),
  };
}
