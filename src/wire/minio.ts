import { WireInstallError } from '../core/errors.js';
import { shellQuote } from '../hosts/become.js';
import { type Host, hostsWithRole, type Inventory, trafficAddress } from '../inventory/defaults.js';
import { lastLines } from '../operations/run.js';
import type { OperationContext } from '../operations/types.js';
import type { WireSecrets } from '../secrets/generate.js';
import { redact } from '../secrets/redact.js';
import { renderTemplateFile } from '../templates/load.js';

/**
 * MinIO as Wire runs it on the minio hosts (Wire's minio.yml, docs/wire/install-sequences.md#minio-install):
 * what apply's steps, doctor and the tests share: the two instances per host and their drives,
 * Wire's buckets, and mc, which finds the deployment and the root keys in MC_HOST_wire, from a
 * 0600 file sourced by each command.
 */
export const MINIO_INSTANCES = [
  { instance: 1, port: 9000 },
  { instance: 2, port: 9092 },
] as const;

export const minioHosts = (inventory: Inventory): Host[] => hostsWithRole(inventory, 'minio');
export const dataDir = (instance: number) => `/var/lib/minio-server${instance}`;
export const unitName = (instance: number) => `minio-server${instance}.service`;

/** Every drive of the deployment: each host's server1 drive, then each host's server2 drive. */
export function minioVolumes(inventory: Inventory): string {
  return MINIO_INSTANCES.flatMap(({ instance, port }) =>
    minioHosts(inventory).map((host) => `http://${trafficAddress(host)}:${port}${dataDir(instance)}`),
  ).join(' ');
}

export function minioEnvValues(
  inventory: Inventory,
  hostName: string,
  instance: number,
  secrets: WireSecrets,
): Record<string, string> {
  const self = minioHosts(inventory).find((host) => host.name === hostName);
  if (!self) throw new Error(`${hostName} is not a minio host`);
  const port = MINIO_INSTANCES.find((entry) => entry.instance === instance)?.port;
  if (!port) throw new Error(`MinIO has no instance ${instance}`);
  return {
    instance: String(instance),
    volumes: minioVolumes(inventory),
    address: trafficAddress(self),
    port: String(port),
    rootUser: secrets.minio.rootUser,
    rootPassword: secrets.minio.rootPassword,
  };
}

export const MC = '/usr/local/bin/mc';
export const MINIO_CONFIG_DIR = '/etc/wire-install/minio';
export const MC_ENV = `${MINIO_CONFIG_DIR}/mc.env`;
export const ALIAS = 'wire';
export const BUCKETS = ['dummy-bucket', 'assets', 'public', 'k8ssandra-backups'] as const;
export const CARGOHOLD_BUCKET = 'assets';

/** The MinIO keys, kept out of whatever the steps and doctor report. */
export const mcSecretValues = (secrets: WireSecrets): string[] => Object.values(secrets.minio);

export const cargoholdPolicy = () =>
  renderTemplateFile('minio/cargohold-policy.json', { bucket: CARGOHOLD_BUCKET });

/** Runs mc with the keys from MC_ENV in its environment; failures show stderr with the keys hidden. */
export async function mcRun(
  context: OperationContext,
  what: string,
  args: string,
  hidden: readonly string[],
  stdin?: string,
): Promise<string> {
  const script = `set -a && . ${MC_ENV} && set +a && exec ${MC} ${args}`;
  const result = await context.host.exec(`sh -c ${shellQuote(script)}`, stdin === undefined ? {} : { stdin });
  if (result.exitCode === 0) return result.stdout;
  throw new WireInstallError({
    what: `${context.host.name}: ${what} failed (exit code ${result.exitCode})`,
    host: context.host.name,
    evidence: [`command: mc ${args}`, ...lastLines(redact(result.stderr, hidden)).map((line) => `| ${line}`)],
    next: `systemctl status minio-server1 minio-server2; the keys are in ${MC_ENV} and /etc/default/minio-server1`,
  });
}

/** MinIO answers once enough drives are up; just started, that takes a few seconds. */
export async function waitForMinio(context: OperationContext, hidden: readonly string[]): Promise<void> {
  if ((await context.host.exec('systemctl is-active --quiet minio-server1')).exitCode !== 0)
    throw new WireInstallError({
      what: `${context.host.name}: minio-server1.service is not running`,
      host: context.host.name,
      next: 'systemctl status minio-server1 (apply --only databases.minio-install starts it)',
    });
  if ((await context.host.exec(`test -f ${MC_ENV}`)).exitCode !== 0)
    throw new WireInstallError({
      what: `${context.host.name}: ${MC_ENV} is missing`,
      host: context.host.name,
      next: 'apply --only databases.minio-buckets writes it',
    });
  const loop = `for i in $(seq 1 30); do ${MC} ls ${ALIAS} >/dev/null 2>&1 && exit 0; sleep 1; done; exit 1`;
  const script = `set -a && . ${MC_ENV} && set +a && ${loop}`;
  if ((await context.host.exec(`sh -c ${shellQuote(script)}`)).exitCode === 0) return;
  await mcRun(context, 'listing the buckets (MinIO does not answer)', `ls ${ALIAS}`, hidden);
}
