import { join } from 'node:path';
import { writeSecretsFile } from '../../src/secrets/file.js';
import { generateSecrets, type WireSecrets } from '../../src/secrets/generate.js';
import { type LabRun, type LabWorkspace, runLabCli, WIRE_CLI } from './lab-cli.js';
import { connectLabHost, type LabHost } from './lab-hosts.js';

/**
 * Helpers for the tests that run Wire's own stages on the lab with the real bin/wire-install:
 * a command on one host and secrets.yaml in a workspace (lab-reset.ts puts hosts back as booted).
 */

/** The real bin/wire-install, with Wire's stages. */
export const runWireCli = (on: LabWorkspace, args: string[], timeoutMs?: number): Promise<LabRun> =>
  runLabCli(on, args, WIRE_CLI, timeoutMs);

/** The lab is Debian 12 in containers on a small machine: preflight must be told so. */
export const ALLOW = ['--allow-unsupported-os', '--allow-undersized'];

export async function onHost(host: LabHost | undefined, command: string, stdin?: string): Promise<string> {
  if (!host) throw new Error('no such lab host');
  const ssh = await connectLabHost(host);
  try {
    return (await ssh.exec(command, stdin === undefined ? {} : { stdin })).stdout;
  } finally {
    ssh.close();
  }
}

export async function withSecrets(workspace: LabWorkspace): Promise<WireSecrets> {
  const secrets = generateSecrets();
  await writeSecretsFile(join(workspace.dir, 'secrets.yaml'), secrets);
  return secrets;
}
