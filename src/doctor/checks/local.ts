import { verifyBundle } from '../../bundle/verify.js';
import { checkAdminTools } from '../../preflight/admin-tools.js';
import { checkSecretsFile } from '../../preflight/secrets-file.js';
import { checkInventoryStatic } from '../../rules/static-rules.js';
import { describeChoices } from '../../tools/admin-tools.js';
import { fail, fromFindings, pass, warn } from '../results.js';
import type { DoctorCheck } from '../types.js';

/**
 * The admin host itself (this machine): the tools apply runs, the inventory and secrets.yaml
 * as apply would judge them, and the offline bundle. Same code as apply's preflight, so doctor
 * and apply never disagree about what is wrong.
 */

const firstLine = (text: string) => text.trim().split('\n')[0] ?? '';

const tools: DoctorCheck = {
  id: 'local.tools',
  group: 'local',
  title: 'ssh, helm and kubectl on this machine, and their versions',
  needsHosts: false,
  skipReason: () => undefined,
  async run(context) {
    const results = fromFindings(
      'local.tools',
      await checkAdminTools(context.admin, { helm: 'helm', kubectl: 'kubectl' }),
      { summary: 'helm 3 and kubectl are usable', host: context.admin.name },
    );
    // Versions as evidence on the pass, so a support request shows them.
    const helm = await context.admin.exec('helm version --short');
    const kubectl = await context.admin.exec('kubectl version --client');
    for (const result of results) {
      if (result.status === 'pass')
        result.evidence.push(`helm ${firstLine(helm.stdout)}`, `kubectl ${firstLine(kubectl.stdout)}`);
      result.evidence.push(...describeChoices(context.adminTools ?? []));
    }
    // wire-install speaks SSH itself; the ssh client is what an operator debugs with (ssh -v).
    const ssh = await context.admin.exec('ssh -V');
    results.push(
      ssh.exitCode === 0
        ? pass('local.tools', 'the OpenSSH client is installed', {
            host: context.admin.name,
            evidence: [firstLine(ssh.stderr || ssh.stdout)],
          })
        : warn(
            'local.tools',
            'the OpenSSH client (ssh) is not installed: wire-install does not need it, but the fixes doctor suggests use it',
            'install openssh-client',
            { host: context.admin.name, evidence: [firstLine(ssh.stderr) || `exit ${ssh.exitCode}`] },
          ),
    );
    return results;
  },
};

const inventoryRules: DoctorCheck = {
  id: 'local.inventory',
  group: 'local',
  title: "the inventory against Wire's rules (roles, hardware declared, addresses, calling, DNS names)",
  needsHosts: false,
  skipReason: () => undefined,
  async run(context) {
    // The certificate files are certs.files' part (with the same code).
    return fromFindings('local.inventory', checkInventoryStatic(context.inventory), {
      summary: `${context.inventoryFile} follows Wire's rules`,
      evidence: [`${context.inventory.hosts.length} hosts, mode ${context.inventory.mode}`],
    });
  },
};

/**
 * `secrets.yaml:56:3: kubernetes.bootstrapToken: must be a kubeadm token` reads as
 * `name: value` to the report's key-like redaction, which would hide the rule ("[redacted] be
 * a kubeadm token"). These lines name a key and a rule, never a value (describeSecretsIssue),
 * so the key is set apart with a dash instead.
 */
function keyThenRule(line: string): string {
  return line.replace(/^(.+?:\d+:\d+: [^:\s]+): /, '$1 — ');
}

const secretsFile: DoctorCheck = {
  id: 'local.secrets',
  group: 'local',
  title: 'secrets.yaml exists, is complete and readable only by its owner',
  needsHosts: false,
  skipReason: () => undefined,
  async run(context) {
    if (context.secretsError !== undefined)
      return [
        fail(
          'local.secrets',
          context.secretsError,
          'fix the file (the message names the problem), or run `wire-install init` to add missing keys',
          {
            host: context.admin.name,
            evidence: [
              ...(context.secretsErrorEvidence ?? []).map(keyThenRule),
              `read: ${context.secretsPath}`,
            ],
          },
        ),
      ];
    const results = fromFindings(
      'local.secrets',
      await checkSecretsFile(context.secretsPath, context.secrets),
      {
        summary: `${context.secretsPath} is complete and mode 0600`,
      },
    );
    const missing = context.secretsMissingKeys ?? [];
    if (missing.length === 0) return results;
    return [
      ...results.filter((result) => result.status !== 'pass'),
      warn(
        'local.secrets',
        `${context.secretsPath} lacks keys this version of wire-install needs: ${missing.join(', ')}`,
        'run `wire-install apply` (or `wire-install init`): it adds them and keeps every existing value',
        { host: context.admin.name },
      ),
    ];
  },
};

const bundle: DoctorCheck = {
  id: 'local.bundle',
  group: 'local',
  title: 'the offline bundle is complete and readable',
  needsHosts: false,
  skipReason: (context) => (context.bundleRoot ? undefined : 'the inventory names no bundle (bundle.path)'),
  async run(context) {
    const root = context.bundleRoot ?? '';
    return fromFindings('local.bundle', await verifyBundle(root), {
      summary: `the bundle in ${root} is complete`,
    });
  },
};

export const LOCAL_CHECKS: readonly DoctorCheck[] = [tools, inventoryRules, secretsFile, bundle];
