import { isIP } from 'node:net';
import type { Role } from './roles.js';
import type { HostInput, InventoryInput, SshSettingsInput } from './schema.js';

/**
 * Every default of the inventory, applied in one place. The rest of the tool only sees the
 * resolved `Inventory`, in which nothing is optional that has a sensible default.
 */

/** The wire-server release this version of wire-install knows (WSD 5.32, docs/wire/charts-values-secrets.md#charts-and-versions). */
export const DEFAULT_WIRE_VERSION = '5.32.0';
/** Kubespray's defaults, which Wire's offline bundle keeps (docs/wire/inventory-and-hardware.md#os-and-network-rules: 10.233.0.0/16 is taken). */
export const DEFAULT_POD_CIDR = '10.233.64.0/18';
export const DEFAULT_SERVICE_CIDR = '10.233.0.0/18';
/** Wire's sizing note: 1 vCPU of SFT per 50 concurrent participants (docs/wire/inventory-and-hardware.md#calling-capacity). */
export const DEFAULT_SFT_PARTICIPANTS = 50;
/**
 * A keepalive every 5 s, a host lost after 3 intervals without an answer: named within 15 s of
 * going silent (issue 15 asks for 20 s), while a host busy with real work still answers, since
 * sshd answers keepalives apart from any command. Also the default of connections made without
 * an inventory (src/hosts/ssh-host.ts).
 */
export const DEFAULT_SSH_KEEPALIVE = { intervalSeconds: 5, count: 3 } as const;

export interface Bastion {
  address: string;
  user: string;
  port: number;
  identityFile: string | undefined;
}

export interface SshSettings {
  user: string;
  port: number;
  identityFile: string | undefined;
  bastion: Bastion | undefined;
  become: { enabled: boolean; password: boolean };
  keepalive: { intervalSeconds: number; count: number };
}

export interface Host {
  name: string;
  address: string;
  /** Undefined only when `address` is a DNS name and no privateAddress was given (a rule reports it). */
  privateAddress: string | undefined;
  externalIp: string | undefined;
  roles: Role[];
  resources: { cpus?: number; memoryGiB?: number; diskGiB?: number };
  ssh: SshSettings;
}

export type Certificates = InventoryInput['certificates'] extends infer C
  ? C extends { mode: 'cert-manager' }
    ? Omit<C, 'staging'> & { staging: boolean }
    : C
  : never;

export interface Kubernetes {
  mode: 'bundled' | 'existing';
  apiEndpoint: string | undefined;
  kubeconfig: string | undefined;
  context: string | undefined;
  podCidr: string;
  serviceCidr: string;
}

export type Smtp =
  | { mode: 'demo'; sender: string }
  | {
      mode: 'relay';
      host: string;
      port: number;
      connType: 'plain' | 'ssl' | 'tls';
      username: string | undefined;
      sender: string;
    };

export interface Inventory {
  apiVersion: string;
  kind: string;
  mode: 'demo' | 'production';
  domain: string;
  certificates: Certificates;
  ssh: SshSettings;
  hosts: Host[];
  kubernetes: Kubernetes;
  bundle: { path: string | undefined; aptRepository: string | undefined };
  wire: {
    version: string;
    federation: { enabled: boolean; domain: string; clientCA?: string };
    calling: {
      sft: { enabled: boolean; concurrentParticipants: number; replicas: number };
      coturn: { enabled: boolean };
    };
    smtp: Smtp;
    features: {
      mls: boolean;
      legalhold: boolean;
      sso: boolean;
      teamSearchVisibility: boolean;
      restrictUserCreation: boolean;
    };
  };
}

function resolveSsh(base: SshSettings, override: SshSettingsInput | undefined): SshSettings {
  const user = override?.user ?? base.user;
  const bastionInput = override?.bastion;
  return {
    user,
    port: override?.port ?? base.port,
    identityFile: override?.identityFile ?? base.identityFile,
    bastion: bastionInput
      ? {
          address: bastionInput.address,
          user: bastionInput.user ?? user,
          port: bastionInput.port ?? 22,
          identityFile: bastionInput.identityFile ?? override?.identityFile ?? base.identityFile,
        }
      : base.bastion,
    become: {
      enabled: override?.become?.enabled ?? (override?.user ? user !== 'root' : base.become.enabled),
      password: override?.become?.password ?? base.become.password,
    },
    keepalive: {
      intervalSeconds: override?.keepalive?.intervalSeconds ?? base.keepalive.intervalSeconds,
      count: override?.keepalive?.count ?? base.keepalive.count,
    },
  };
}

const ROOT_SSH: SshSettings = {
  user: 'root',
  port: 22,
  identityFile: undefined,
  bastion: undefined,
  become: { enabled: false, password: false },
  keepalive: DEFAULT_SSH_KEEPALIVE,
};

function resolveHost(host: HostInput, ssh: SshSettings): Host {
  return {
    name: host.name,
    address: host.address,
    privateAddress: host.privateAddress ?? (isIP(host.address) ? host.address : undefined),
    externalIp: host.externalIp,
    roles: [...new Set(host.roles)],
    resources: { ...host.resources },
    ssh: resolveSsh(ssh, host.ssh),
  };
}

export function applyDefaults(input: InventoryInput): Inventory {
  const ssh = resolveSsh(ROOT_SSH, input.ssh);
  const hosts = input.hosts.map((host) => resolveHost(host, ssh));
  const kube = input.kubernetes ?? { mode: 'bundled' as const };
  const sftHosts = hosts.filter((host) => host.roles.includes('sftd')).length;
  const coturnHosts = hosts.filter((host) => host.roles.includes('coturn')).length;
  const sft = input.wire?.calling?.sft;
  const smtp = input.wire?.smtp ?? { mode: 'demo' as const };
  const sender = smtp.sender ?? `no-reply@${input.domain}`;
  const certificates =
    input.certificates.mode === 'cert-manager'
      ? { ...input.certificates, staging: input.certificates.staging ?? false }
      : input.certificates;

  return {
    apiVersion: input.apiVersion,
    kind: input.kind,
    mode: input.mode,
    domain: input.domain,
    certificates,
    ssh,
    hosts,
    kubernetes: {
      mode: kube.mode,
      apiEndpoint: kube.mode === 'bundled' ? kube.apiEndpoint : undefined,
      kubeconfig: kube.mode === 'existing' ? kube.kubeconfig : undefined,
      context: kube.mode === 'existing' ? kube.context : undefined,
      podCidr: kube.podCidr ?? DEFAULT_POD_CIDR,
      serviceCidr: kube.serviceCidr ?? DEFAULT_SERVICE_CIDR,
    },
    bundle: { path: input.bundle?.path, aptRepository: input.bundle?.aptRepository },
    wire: {
      version: input.wire?.version ?? DEFAULT_WIRE_VERSION,
      federation: {
        enabled: input.wire?.federation?.enabled ?? false,
        domain: input.wire?.federation?.domain ?? input.domain,
        ...(input.wire?.federation?.clientCA !== undefined
          ? { clientCA: input.wire.federation.clientCA }
          : {}),
      },
      calling: {
        sft: {
          enabled: sft?.enabled ?? sftHosts > 0,
          concurrentParticipants: sft?.concurrentParticipants ?? DEFAULT_SFT_PARTICIPANTS,
          replicas: sft?.replicas ?? Math.max(sftHosts, 1),
        },
        coturn: { enabled: input.wire?.calling?.coturn?.enabled ?? coturnHosts > 0 },
      },
      smtp:
        smtp.mode === 'demo'
          ? { mode: 'demo', sender }
          : {
              mode: 'relay',
              host: smtp.host,
              port: smtp.port ?? 25,
              connType: smtp.connType ?? 'plain',
              username: smtp.username,
              sender,
            },
      features: {
        mls: input.wire?.features?.mls ?? false,
        legalhold: input.wire?.features?.legalhold ?? false,
        sso: input.wire?.features?.sso ?? false,
        teamSearchVisibility: input.wire?.features?.teamSearchVisibility ?? false,
        restrictUserCreation: input.wire?.features?.restrictUserCreation ?? false,
      },
    },
  };
}

/** The address other hosts and Wire's services use to reach `host`: its private address, else its SSH address. */
export function trafficAddress(host: Host): string {
  return host.privateAddress ?? host.address;
}

export function hostsWithRole(inventory: Inventory, role: Role): Host[] {
  return inventory.hosts.filter((host) => host.roles.includes(role));
}
