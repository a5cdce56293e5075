import { z } from 'zod';
import { ROLES } from './roles.js';

/**
 * The inventory format, as the user writes it. Optional keys have no defaults here: every
 * default is applied in one place (defaults.ts), so this schema is also exactly what editors
 * get as JSON Schema (schema/inventory.schema.json, generated from it).
 *
 * Keys are documented in docs/inventory.md; keep the descriptions here short and factual.
 */

export const API_VERSION = 'wire-install/v1';
export const KIND = 'Inventory';

const HOSTNAME_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

export const ipAddress = z.union([z.ipv4(), z.ipv6()]).describe('an IPv4 or IPv6 address');

export const domainName = z
  .string()
  .regex(DOMAIN, 'must be a lower-case DNS domain with at least two labels, e.g. wire.example.com')
  .describe('DNS domain');

const portNumber = z.number().int().min(1).max(65535);

const become = z
  .object({
    enabled: z.boolean().optional().describe('run commands through sudo (default: true unless user is root)'),
    password: z
      .boolean()
      .optional()
      .describe(
        'sudo asks for a password; it is read from secrets.yaml (ssh.becomePassword), never from here',
      ),
  })
  .strict();

const bastion = z
  .object({
    address: z.string().min(1).describe('address of the jump host'),
    user: z.string().min(1).optional(),
    port: portNumber.optional(),
    identityFile: z.string().min(1).optional(),
  })
  .strict()
  .describe('jump host (ProxyJump) that every SSH connection goes through');

const sshSettings = z
  .object({
    user: z.string().min(1).optional().describe('login user (default: root)'),
    port: portNumber.optional().describe('SSH port (default: 22)'),
    identityFile: z
      .string()
      .min(1)
      .optional()
      .describe('private key file; without it the ssh-agent (SSH_AUTH_SOCK) is used'),
    bastion: bastion.optional(),
    become: become.optional(),
    keepalive: z
      .object({
        intervalSeconds: z
          .number()
          .int()
          .min(1)
          .max(300)
          .optional()
          .describe('seconds between SSH keepalives (default: 5)'),
        count: z
          .number()
          .int()
          .min(2)
          .max(100)
          .optional()
          .describe('intervals without an answer after which the host is called lost (default: 3)'),
      })
      .strict()
      .optional()
      .describe(
        'how soon a host that stops answering is named: after intervalSeconds x count (default 5 x 3 = 15 s)',
      ),
  })
  .strict();

const resources = z
  .object({
    cpus: z.number().int().positive().optional().describe('vCPUs (one vCPU = one physical core, per Wire)'),
    memoryGiB: z.number().positive().optional().describe('memory in GiB'),
    diskGiB: z.number().positive().optional().describe('disk in GiB where data will live'),
  })
  .strict()
  .describe('what the host is expected to have; checked against Wire sizing before any host is reachable');

export const hostSchema = z
  .object({
    name: z
      .string()
      .regex(
        HOSTNAME_LABEL,
        'must be a lower-case hostname label (letters, digits, -), at most 63 characters',
      )
      .describe('hostname; apply sets it on the host (RabbitMQ needs inventory names equal real hostnames)'),
    address: z.string().min(1).describe('address wire-install connects to over SSH (IP or DNS name)'),
    privateAddress: ipAddress
      .optional()
      .describe('static private IP for traffic between hosts (default: address, when that is an IP)'),
    externalIp: ipAddress
      .optional()
      .describe(
        'public IP clients reach for calling (sftd/coturn behind 1:1 NAT); becomes wire.com/external-ip',
      ),
    roles: z.array(z.enum(ROLES)).min(1).describe('what runs on this host'),
    resources: resources.optional(),
    ssh: sshSettings.optional().describe('overrides of the top-level ssh settings for this host'),
  })
  .strict();

const certificates = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('bring-your-own'),
      certChain: z.string().min(1).describe('PEM file: the leaf certificate followed by its intermediates'),
      key: z.string().min(1).describe('PEM file: the private key of the leaf certificate'),
    })
    .strict(),
  z
    .object({
      mode: z.literal('cert-manager'),
      email: z.email().describe("Let's Encrypt account e-mail (certManager.certmasterEmail)"),
      staging: z.boolean().optional().describe("use Let's Encrypt's staging endpoint (default: false)"),
    })
    .strict(),
  z
    .object({
      mode: z.literal('self-signed'),
    })
    .strict()
    .describe('wire-install generates a private CA: for demos and tests only, clients will not trust it'),
]);

const kubernetes = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('bundled'),
      apiEndpoint: z
        .string()
        .min(1)
        .optional()
        .describe(
          "stable API address (VIP or load balancer); default: the first control plane's name, in /etc/hosts on every node",
        ),
      podCidr: z.cidrv4().optional().describe('pod network (default 10.233.64.0/18, as Wire/kubespray)'),
      serviceCidr: z
        .cidrv4()
        .optional()
        .describe('service network (default 10.233.0.0/18, as Wire/kubespray)'),
    })
    .strict(),
  z
    .object({
      mode: z.literal('existing'),
      kubeconfig: z.string().min(1).describe('kubeconfig file of the existing cluster'),
      context: z.string().min(1).optional(),
      podCidr: z.cidrv4().optional(),
      serviceCidr: z.cidrv4().optional(),
    })
    .strict(),
]);

const smtp = z.discriminatedUnion('mode', [
  z
    .object({
      mode: z.literal('demo'),
      sender: z.email().optional().describe('From address (default: no-reply@<domain>)'),
    })
    .strict()
    .describe('in-cluster relay that delivers directly (outbound port 25 is often blocked)'),
  z
    .object({
      mode: z.literal('relay'),
      host: z.string().min(1),
      port: portNumber.optional().describe('default 25'),
      connType: z.enum(['plain', 'ssl', 'tls']).optional().describe('default plain'),
      username: z.string().min(1).optional().describe('the password goes in secrets.yaml (smtp.password)'),
      sender: z.email().optional(),
    })
    .strict(),
]);

const wire = z
  .object({
    version: z
      .string()
      .regex(/^\d+\.\d+\.\d+$/, 'must be a chart version like 5.32.0')
      .optional()
      .describe('wire-server chart version (default: the one this wire-install release knows, 5.32.0)'),
    federation: z
      .object({
        enabled: z.boolean().optional(),
        domain: domainName
          .optional()
          .describe('federation domain (setFederationDomain); cannot change after the first install'),
        clientCA: z
          .string()
          .min(1)
          .optional()
          .describe(
            'PEM file: the CA certificates that sign the federation client certificates of the backends this one federates with (required with federation on)',
          ),
      })
      .strict()
      .optional(),
    calling: z
      .object({
        sft: z
          .object({
            enabled: z.boolean().optional(),
            concurrentParticipants: z
              .number()
              .int()
              .positive()
              .optional()
              .describe('expected concurrent conference participants (1 vCPU per 50)'),
            replicas: z
              .number()
              .int()
              .positive()
              .optional()
              .describe('sftd pods (default: one per sftd host; never more than the sftd hosts)'),
          })
          .strict()
          .optional(),
        coturn: z.object({ enabled: z.boolean().optional() }).strict().optional(),
      })
      .strict()
      .optional(),
    smtp: smtp.optional(),
    features: z
      .object({
        mls: z.boolean().optional().describe('MLS feature flag (the removal keys are generated regardless)'),
        legalhold: z.boolean().optional(),
        sso: z.boolean().optional(),
        teamSearchVisibility: z.boolean().optional(),
        restrictUserCreation: z.boolean().optional().describe('only team admins create users'),
      })
      .strict()
      .optional(),
  })
  .strict();

export const inventorySchema = z
  .object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(KIND),
    mode: z.enum(['demo', 'production']).describe('demo: one VM; production: separate database VMs'),
    domain: domainName.describe(
      'the domain Wire is served under; names like nginz-https.<domain> hang off it',
    ),
    certificates,
    ssh: sshSettings.optional().describe('SSH settings for every host (a host may override them)'),
    hosts: z.array(hostSchema).min(1),
    kubernetes: kubernetes.optional().describe('default: bundled (installed by wire-install)'),
    bundle: z
      .object({
        path: z.string().min(1).optional().describe('directory of the unpacked Wire offline bundle'),
        aptRepository: z
          .string()
          .regex(
            /^deb (\[[^\]]*\] )?\S+ \S+( \S+)*$/,
            'must be one apt source line: deb [options] URI suite [components]',
          )
          .optional()
          .describe(
            "the apt source line every host uses, instead of the bundle's repository served by the asset host (e.g. an internal mirror of it)",
          ),
      })
      .strict()
      .optional(),
    wire: wire.optional(),
  })
  .strict();

export type InventoryInput = z.input<typeof inventorySchema>;
export type HostInput = z.input<typeof hostSchema>;
export type SshSettingsInput = z.input<typeof sshSettings>;
