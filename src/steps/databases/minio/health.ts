import type { Finding } from '../../../core/finding.js';
import { type Inventory, trafficAddress } from '../../../inventory/defaults.js';
import { remoteCheck } from '../../../operations/remote-check.js';
import type { Operation } from '../../../operations/types.js';
import type { WireSecrets } from '../../../secrets/generate.js';
import {
  MC_ENV,
  MINIO_INSTANCES,
  mcRun,
  mcSecretValues,
  minioHosts,
  waitForMinio,
} from '../../../wire/minio.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const minioHealthStep = defineStep({
  id: 'databases.minio-health',
  stage: 'databases',
  title: 'Check MinIO: every drive and node online',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['minio'] },
  order: 'first-host-only',
  why: 'Missing buckets or drives make asset uploads fail',
  needs: ['secrets'],
  alwaysRun: true,
  operations: (inventory, _host, options) => minioHealth(inventory, options.secrets),
});

/** `mc admin info --json` as the bundle's mc prints it (madmin-go's InfoMessage): docs/wire/deployment-sources.md#minio-and-mc. */
interface AdminInfo {
  info?: {
    servers?: { endpoint?: string; state?: string; drives?: { endpoint?: string; state?: string }[] }[];
  };
}

/** Every server and drive online, asked with `mc admin info --json` on the first host (docs/wire/health-and-ports.md#health-checks). */
export function minioHealth(inventory: Inventory, secrets: WireSecrets): Operation[] {
  const hidden = mcSecretValues(secrets);
  const servers = MINIO_INSTANCES.flatMap(({ port }) =>
    minioHosts(inventory).map((host) => ({ name: host.name, endpoint: `${trafficAddress(host)}:${port}` })),
  );
  return [
    remoteCheck('MinIO drives and servers', async (context): Promise<Finding[]> => {
      await waitForMinio(context, hidden);
      const result = await mcRun(context, 'reading mc admin info', 'admin info --json wire', hidden);
      const info = (JSON.parse(result) as AdminInfo).info ?? {};
      const reported = new Map((info.servers ?? []).map((server) => [server.endpoint ?? '', server]));
      const problems: string[] = [];
      for (const server of servers) {
        const found = reported.get(server.endpoint);
        if (!found) problems.push(`${server.name} ${server.endpoint}: not reported`);
        else if (found.state !== 'online') problems.push(`${server.name} ${server.endpoint}: ${found.state}`);
        for (const drive of found?.drives ?? [])
          if (drive.state !== 'ok') problems.push(`drive ${drive.endpoint}: ${drive.state}`);
      }
      if (problems.length === 0) return [];
      return [
        {
          severity: 'error',
          rule: 'databases.minio-health',
          host: context.host.name,
          message: `MinIO servers or drives not online: ${problems.join('; ')}`,
          measured: (info.servers ?? []).map((s) => `${s.endpoint} ${s.state}`).join(', ') || 'no servers',
          required: `${servers.length} servers online (${servers.map((s) => s.endpoint).join(', ')}), every drive ok`,
          fix: `on the host named: systemctl status minio-server1 minio-server2; journalctl -u minio-server1; then mc admin heal -r with the keys of ${MC_ENV}`,
        },
      ];
    }),
  ];
}
