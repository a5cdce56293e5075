import { shellQuote } from '../../../hosts/become.js';
import { hostsWithRole, type Inventory, trafficAddress } from '../../../inventory/defaults.js';
import { directoryOperation } from '../../../operations/directory.js';
import type { Operation, OperationContext } from '../../../operations/types.js';
import type { WireSecrets } from '../../../secrets/generate.js';
import { sha256Text } from '../../../state/fingerprint.js';
import { templateOperation } from '../../../templates/load.js';
import {
  ALIAS,
  BUCKETS,
  CARGOHOLD_BUCKET,
  cargoholdPolicy,
  MC,
  MC_ENV,
  MINIO_CONFIG_DIR,
  mcRun,
  mcSecretValues,
  waitForMinio,
} from '../../../wire/minio.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

/**
 * Wire's buckets and the cargohold user, on the first minio host (minio.yml, docs/wire/install-sequences.md#minio-install,
 * docs/wire/upgrades.md#version-523): buckets dummy-bucket, assets, public (anonymous download) and
 * k8ssandra-backups; the user cargohold signs in with (secrets.yaml minio.cargohold*), allowed
 * the assets bucket only. mc finds the deployment and the root keys in MC_HOST_wire, from a 0600
 * file sourced by each command; the user's keys reach `mc admin user add` on stdin, which mc
 * reads when they are not arguments. No key is ever on a command line wire-install writes.
 */
export const minioBucketsStep = defineStep({
  id: 'databases.minio-buckets',
  stage: 'databases',
  title: 'Create the buckets and the cargohold user limited to assets',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['minio'] },
  order: 'first-host-only',
  why: 'Buckets dummy-bucket, assets, public, k8ssandra-backups; cargohold uses a least-privilege user since 5.23',
  needs: ['secrets'],
  operations: (inventory, host, options) => minioBuckets(inventory, host.name, options.secrets),
});

const POLICY_FILE = `${MINIO_CONFIG_DIR}/cargohold-policy.json`;
export const PUBLIC_BUCKET = 'public';
export const CARGOHOLD_POLICY = 'cargohold-assets';

function firstAddress(inventory: Inventory, hostName: string): string {
  const self = hostsWithRole(inventory, 'minio').find((host) => host.name === hostName);
  if (!self) throw new Error(`${hostName} is not a minio host`);
  return trafficAddress(self);
}

/** MC_HOST_wire: server1 of this host, with the root keys (docs/wire/health-and-ports.md#health-checks). */
export function mcEnvValues(inventory: Inventory, hostName: string, secrets: WireSecrets) {
  const { rootUser, rootPassword } = secrets.minio;
  return {
    alias: ALIAS,
    url: `http://${encodeURIComponent(rootUser)}:${encodeURIComponent(rootPassword)}@${firstAddress(inventory, hostName)}:9000`,
    cargoholdAccessKey: secrets.minio.cargoholdAccessKey,
  };
}

/**
 * mc's --json records, one per line: mc compacts them when its stdout is not a terminal, as over
 * SSH here. Their fields (key, permission, accessKey, policyName, policyInfo.Policy) are those of
 * the bundle's mc, RELEASE.2023-10-24T05-18-28Z: docs/wire/deployment-sources.md#minio-and-mc.
 */
const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** An operation whose check lists what is missing, and whose apply makes each one. */
function mcOperation(
  kind: string,
  target: string,
  inputs: unknown,
  hidden: readonly string[],
  missing: (context: OperationContext) => Promise<{ change: string; fix: () => Promise<unknown> }[]>,
): Operation {
  return {
    kind,
    target,
    inputs,
    async check(context) {
      try {
        await waitForMinio(context, hidden);
      } catch (error) {
        // In a plan MinIO may not run yet (the install step comes first): all of it is due.
        const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
        return { changes: [`set up ${target} once MinIO runs`], notes: [reason ?? ''] };
      }
      return { changes: (await missing(context)).map((todo) => todo.change), notes: [] };
    },
    async apply(context) {
      await waitForMinio(context, hidden);
      const todos = await missing(context);
      for (const todo of todos) await todo.fix();
      return { changes: todos.map((todo) => todo.change), notes: [] };
    },
  };
}

export function minioBuckets(inventory: Inventory, hostName: string, secrets: WireSecrets): Operation[] {
  const hidden = mcSecretValues(secrets);
  const accessKey = secrets.minio.cargoholdAccessKey;
  const userKeys = `${accessKey}\n${secrets.minio.cargoholdSecretKey}\n`;
  const userLine = async (context: OperationContext) =>
    jsonLines(await mcRun(context, 'listing MinIO users', `admin user list --json ${ALIAS}`, hidden)).find(
      (line) => line.accessKey === accessKey,
    );
  // Signing in as the user proves its secret key; the key goes from stdin into the environment.
  const signsIn = async (context: OperationContext) => {
    const address = `${firstAddress(inventory, hostName)}:9000`;
    const script = `set -a && . ${MC_ENV} && set +a && read -r key && MC_HOST_cargohold="http://$CARGOHOLD_ACCESS_KEY:$key@${address}" exec ${MC} ls cargohold/${CARGOHOLD_BUCKET}`;
    const result = await context.host.exec(`sh -c ${shellQuote(script)}`, {
      stdin: `${secrets.minio.cargoholdSecretKey}\n`,
    });
    return result.exitCode === 0;
  };
  const policyStatements = (text: string) => {
    const parsed = JSON.parse(text) as { Statement?: { Action?: string[]; Resource?: string[] }[] };
    return JSON.stringify(
      (parsed.Statement ?? []).map((s) => [[...(s.Action ?? [])].sort(), [...(s.Resource ?? [])].sort()]),
    );
  };
  const wanted = policyStatements(cargoholdPolicy());

  return [
    directoryOperation({ path: MINIO_CONFIG_DIR, mode: 0o700, owner: 'root', group: 'root' }),
    templateOperation('minio/mc.env', mcEnvValues(inventory, hostName, secrets), {
      path: MC_ENV,
      mode: 0o600,
      owner: 'root',
      group: 'root',
    }),
    templateOperation(
      'minio/cargohold-policy.json',
      { bucket: CARGOHOLD_BUCKET },
      { path: POLICY_FILE, mode: 0o644 },
    ),
    mcOperation('minio-bucket', BUCKETS.join(', '), { buckets: BUCKETS }, hidden, async (context) => {
      const listed = jsonLines(await mcRun(context, 'listing the buckets', `ls --json ${ALIAS}`, hidden));
      const present = new Set(listed.map((line) => String(line.key ?? '').replace(/\/$/, '')));
      return BUCKETS.filter((bucket) => !present.has(bucket)).map((bucket) => ({
        change: `create bucket ${bucket}`,
        fix: () => mcRun(context, `creating bucket ${bucket}`, `mb ${ALIAS}/${bucket}`, hidden),
      }));
    }),
    mcOperation('minio-anonymous', PUBLIC_BUCKET, { download: PUBLIC_BUCKET }, hidden, async (context) => {
      const answer = await mcRun(
        context,
        `reading the anonymous policy of ${PUBLIC_BUCKET}`,
        `anonymous get --json ${ALIAS}/${PUBLIC_BUCKET}`,
        hidden,
      );
      if (jsonLines(answer)[0]?.permission === 'download') return [];
      return [
        {
          change: `allow anonymous download from bucket ${PUBLIC_BUCKET}`,
          fix: () =>
            mcRun(
              context,
              'setting the public policy',
              `anonymous set download ${ALIAS}/${PUBLIC_BUCKET}`,
              hidden,
            ),
        },
      ];
    }),
    mcOperation('minio-policy', CARGOHOLD_POLICY, { policy: sha256Text(wanted) }, hidden, async (context) => {
      const info = await context.host.exec(
        `sh -c ${shellQuote(`set -a && . ${MC_ENV} && set +a && exec ${MC} admin policy info ${ALIAS} ${CARGOHOLD_POLICY} --json`)}`,
      );
      let current: string | undefined;
      if (info.exitCode === 0) {
        const parsed = JSON.parse(info.stdout) as { policyInfo?: { Policy?: unknown } };
        current = parsed.policyInfo?.Policy ? policyStatements(JSON.stringify(parsed.policyInfo.Policy)) : '';
      }
      if (current === wanted) return [];
      return [
        {
          change: `${current === undefined ? 'create' : 'update'} policy ${CARGOHOLD_POLICY} (bucket ${CARGOHOLD_BUCKET} only)`,
          fix: () =>
            mcRun(
              context,
              `writing policy ${CARGOHOLD_POLICY}`,
              `admin policy create ${ALIAS} ${CARGOHOLD_POLICY} ${POLICY_FILE}`,
              hidden,
            ),
        },
      ];
    }),
    mcOperation('minio-user', 'cargohold', { accessKey: sha256Text(userKeys) }, hidden, async (context) => {
      // `mc admin user add ALIAS` reads the access key, then the secret key, from stdin; it
      // prints them back, so its output goes nowhere.
      const add = () =>
        mcRun(context, 'writing the cargohold user', `admin user add ${ALIAS} >/dev/null`, hidden, userKeys);
      if (!(await userLine(context)))
        return [{ change: 'create the cargohold user (access key from secrets.yaml)', fix: add }];
      if ((await userLine(context))?.policyName && !(await signsIn(context)))
        return [{ change: 'set the secret key of the cargohold user (from secrets.yaml)', fix: add }];
      return [];
    }),
    mcOperation(
      'minio-user-policy',
      `cargohold: ${CARGOHOLD_POLICY}`,
      { policy: CARGOHOLD_POLICY },
      hidden,
      async (context) => {
        const policies = String((await userLine(context))?.policyName ?? '').split(',');
        if (policies.includes(CARGOHOLD_POLICY)) return [];
        return [
          {
            change: `attach policy ${CARGOHOLD_POLICY} to the cargohold user`,
            fix: () =>
              mcRun(
                context,
                `attaching ${CARGOHOLD_POLICY}`,
                `admin policy attach ${ALIAS} ${CARGOHOLD_POLICY} --user "$CARGOHOLD_ACCESS_KEY" >/dev/null`,
                hidden,
              ),
          },
        ];
      },
    ),
  ];
}
