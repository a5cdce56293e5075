import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../core/atomic-write.js';
import type { Inventory } from '../inventory/defaults.js';
import { runOrFail } from '../operations/run.js';
import type { Operation, OperationContext, OperationOutcome } from '../operations/types.js';
import { ADMIN_CONF, adminServerUrl } from './kubeadm.js';

/**
 * The cluster from the admin host: its kubeconfig fetched from the first control plane (Wire's
 * artifacts/admin.conf, docs/wire/install-sequences.md#admin-tools-container, #kubernetes-cluster),
 * which kubectl there then uses (src/cluster/kubectl.ts) for the pod network, the calling labels
 * and the readiness checks.
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** admin.conf as the admin host uses it: the same credentials, the server it can reach. */
export function adminKubeconfig(remote: string, serverUrl: string): string {
  if (!/^\s*server:\s*\S+/m.test(remote)) throw new Error(`${ADMIN_CONF} names no server`);
  return remote.replace(/^(\s*server:\s*)\S+/m, `$1${serverUrl}`);
}

async function localState(path: string): Promise<{ sha: string; mode: number } | undefined> {
  try {
    const [content, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { sha: sha256(content), mode: info.mode & 0o777 };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * /etc/kubernetes/admin.conf of the first control plane, written on the admin host atomically
 * with mode 0600. Its content is a credential: it travels on the command's stdout (which the
 * debug log does not record) and is never part of a change line or the fingerprint.
 */
export function fetchAdminKubeconfig(inventory: Inventory, localPath: string): Operation {
  const server = adminServerUrl(inventory);
  const wanted = async (context: OperationContext): Promise<string | undefined> => {
    const result = await context.host.exec(`cat ${ADMIN_CONF}`);
    return result.exitCode === 0 ? adminKubeconfig(result.stdout, server) : undefined;
  };
  const compare = async (context: OperationContext) => {
    const content = await wanted(context);
    if (content === undefined)
      return { content, change: `fetch ${ADMIN_CONF} to ${localPath} (after kubeadm init)` };
    const local = await localState(localPath);
    if (!local) return { content, change: `create ${localPath} (mode 0600, server ${server})` };
    const differences = [
      ...(local.sha !== sha256(content) ? ['content'] : []),
      ...(local.mode !== 0o600 ? [`mode ${local.mode.toString(8)} -> 600`] : []),
    ];
    return {
      content,
      change: differences.length > 0 ? `update ${localPath} (${differences.join(', ')})` : undefined,
    };
  };
  return {
    kind: 'kubeconfig',
    target: localPath,
    inputs: { path: localPath, server },
    async check(context): Promise<OperationOutcome> {
      const { change } = await compare(context);
      return { changes: change ? [change] : [], notes: [] };
    },
    async apply(context): Promise<OperationOutcome> {
      const { content, change } = await compare(context);
      if (content === undefined)
        await runOrFail(context.host, `reading ${ADMIN_CONF}`, `test -f ${ADMIN_CONF}`, {
          next: 'run kubernetes.init-control-plane first: kubeadm init writes it',
        });
      if (!change || content === undefined) return { changes: [], notes: [] };
      await writeFileAtomic(localPath, content, { mode: 0o600 });
      return { changes: [change], notes: [] };
    },
  };
}
