import type { Host, Inventory } from '../inventory/defaults.js';
import { isKubeRole } from '../inventory/roles.js';
import { runOrFail } from '../operations/run.js';
import type { Operation, OperationContext, OperationOutcome } from '../operations/types.js';
import type { WireSecrets } from '../secrets/generate.js';
import { ADMIN_CONF, controlPlanes, INIT_CONFIG, INIT_DONE, KUBEADM } from './kubeadm.js';

/**
 * Fresh join credentials for a node added after the install. kubeadm's bootstrap token lives
 * 24 hours (the ttl in kubeadm-init.yaml) and the control-plane certificates that `kubeadm init
 * --upload-certs` puts into the cluster 2 hours; a node added a day later cannot join with them
 * (https://kubernetes.io/docs/reference/setup-tools/kubeadm/kubeadm-join/,
 * https://kubernetes.io/docs/reference/setup-tools/kubeadm/kubeadm-init-phase/#cmd-phase-upload-certs).
 *
 * On the first control plane, on every apply, this asks the cluster which inventory nodes have
 * not joined yet. Only when one has not, and only when the credential it needs expires within
 * MARGIN_SECONDS or is gone, it creates the inventory's token again (`kubeadm token create
 * --config kubeadm-init.yaml`: 24 hours) or uploads the certificates again (`kubeadm init phase
 * upload-certs --upload-certs --config kubeadm-init.yaml`: 2 hours). So a re-run never makes
 * tokens endlessly, and no valid bootstrap token is left lying around when nobody joins.
 *
 * Secrets: the token and the certificate key stay in the 0600 config file; both commands print
 * them, so their output goes to /dev/null on the host; `kubeadm token list` prints tokens whole,
 * so the host's awk keeps only each token's public id (the part before the dot) and expiry.
 */
export const MARGIN_SECONDS = 15 * 60;
/** The description kubeadm gives the token that owns the uploaded certificates' Secret. */
export const CERTS_PROXY_DESCRIPTION = 'Proxy for managing TTL for the kubeadm-certs secret';
const KUBECTL = '/usr/local/bin/kubectl';

/** One line per live token: its id, expiry (RFC 3339) and description, tab-separated; never its secret. */
export const TOKEN_LIST = `${KUBEADM} token list -o jsonpath='{.token}{"\\t"}{.expires}{"\\t"}{.description}{"\\n"}' | awk -F '\\t' '{ split($1, id, "."); print id[1] "\\t" $2 "\\t" $3 }'`;
export const NODE_LIST = `${KUBECTL} --kubeconfig ${ADMIN_CONF} get nodes -o jsonpath='{.items[*].metadata.name}'`;
export const CREATE_TOKEN = `${KUBEADM} token create --config ${INIT_CONFIG} >/dev/null`;
/** kubeadm token create refuses a token whose id exists: one expiring soon is deleted first (by its public id). */
export const deleteToken = (id: string) => `${KUBEADM} token delete ${id} >/dev/null`;
export const UPLOAD_CERTS = `${KUBEADM} init phase upload-certs --upload-certs --config ${INIT_CONFIG} >/dev/null`;

export interface LiveToken {
  id: string;
  /** Seconds since the epoch; undefined for a token that never expires. */
  expires: number | undefined;
  description: string;
}

export function parseTokenList(text: string): LiveToken[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', expires = '', description = ''] = line.split('\t');
      const time = Date.parse(expires);
      return { id, expires: Number.isNaN(time) ? undefined : Math.floor(time / 1000), description };
    });
}

/** The public part of a bootstrap token, `abcdef` of `abcdef.0123456789abcdef`. */
export const tokenId = (token: string): string => token.split('.')[0] ?? '';

export interface JoinNeeds {
  /** Our token is still listed (expiring soon): delete it before creating it again. */
  tokenListed: boolean;
  /** Inventory nodes the cluster does not list. */
  workers: string[];
  controlPlanes: string[];
  /** What must be renewed for them, as plan lines. */
  changes: string[];
  renewToken: boolean;
  uploadCerts: boolean;
}

/**
 * What the nodes still to join need, judged from the cluster's node list, its live tokens and
 * the control plane's clock (`now`, seconds): pure, so unit tests can cover every case.
 */
export function joinNeeds(
  inventory: Inventory,
  joined: ReadonlySet<string>,
  tokens: readonly LiveToken[],
  now: number,
  ourTokenId: string,
): JoinNeeds {
  const [first] = controlPlanes(inventory);
  const pending = inventory.hosts.filter(
    (host: Host) => host.name !== first?.name && host.roles.some(isKubeRole) && !joined.has(host.name),
  );
  const planes = pending.filter((host) => host.roles.includes('kube-control-plane')).map((host) => host.name);
  const workers = pending
    .filter((host) => !host.roles.includes('kube-control-plane'))
    .map((host) => host.name);
  const valid = (token: LiveToken | undefined) =>
    token !== undefined && (token.expires === undefined || token.expires - now > MARGIN_SECONDS);
  const names = [...planes, ...workers].join(', ');
  const renewToken = pending.length > 0 && !valid(tokens.find((token) => token.id === ourTokenId));
  const uploadCerts =
    planes.length > 0 && !valid(tokens.find((token) => token.description === CERTS_PROXY_DESCRIPTION));
  const changes = [
    ...(renewToken
      ? [
          `create the bootstrap token ${ourTokenId} again, valid 24 h (it expired or expires within 15 min; ${names} still to join)`,
        ]
      : []),
    ...(uploadCerts
      ? [
          `upload the control-plane certificates again, kept 2 h (${planes.join(', ')} still to join as control plane)`,
        ]
      : []),
  ];
  const tokenListed = tokens.some((token) => token.id === ourTokenId);
  return { workers, controlPlanes: planes, changes, renewToken, uploadCerts, tokenListed };
}

async function readNeeds(
  context: OperationContext,
  inventory: Inventory,
  secrets: WireSecrets,
): Promise<JoinNeeds | undefined> {
  // Before kubeadm init (a plan of a new cluster), init makes fresh credentials itself.
  if ((await context.host.exec(`test -f ${INIT_DONE}`)).exitCode !== 0) return undefined;
  const nodes = await runOrFail(context.host, 'listing the cluster nodes', NODE_LIST);
  const now = await runOrFail(context.host, 'reading the clock', 'date -u +%s');
  const tokens = await runOrFail(context.host, 'listing the bootstrap tokens', TOKEN_LIST);
  return joinNeeds(
    inventory,
    new Set(nodes.stdout.split(/\s+/).filter(Boolean)),
    parseTokenList(tokens.stdout),
    Number(now.stdout.trim()),
    tokenId(secrets.kubernetes.bootstrapToken),
  );
}

export function joinCredentials(inventory: Inventory, secrets: WireSecrets): Operation {
  const outcome = (needs: JoinNeeds | undefined): OperationOutcome => ({
    changes: needs?.changes ?? [],
    notes: [],
  });
  return {
    kind: 'kubeadm',
    target: 'join credentials',
    inputs: { tokenId: tokenId(secrets.kubernetes.bootstrapToken) },
    async check(context) {
      return outcome(await readNeeds(context, inventory, secrets));
    },
    async apply(context) {
      const needs = await readNeeds(context, inventory, secrets);
      const id = tokenId(secrets.kubernetes.bootstrapToken);
      if (needs?.renewToken && needs.tokenListed && /^[a-z0-9]{6}$/.test(id))
        await runOrFail(context.host, 'deleting the expiring bootstrap token', deleteToken(id));
      if (needs?.renewToken)
        await runOrFail(context.host, 'creating the bootstrap token again', CREATE_TOKEN, {
          next: `check kubeadm on this host and ${INIT_CONFIG}`,
        });
      if (needs?.uploadCerts)
        await runOrFail(context.host, 'uploading the control-plane certificates again', UPLOAD_CERTS, {
          next: `check kubeadm on this host and the certificateKey in ${INIT_CONFIG}`,
        });
      return outcome(needs);
    },
  };
}
