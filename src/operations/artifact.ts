import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { WireInstallError } from '../core/errors.js';
import { shellQuote } from '../hosts/become.js';
import { runOrFail } from './run.js';
import type { Operation, OperationContext, OperationOutcome } from './types.js';

/**
 * A file copied from the admin host (a downloaded release, an image) whose content is known by
 * its sha256. The remote checksum decides: equal means nothing is sent, however big the file.
 * The checksum is verified three times, so a wrong file never lands: the local file before
 * sending (a corrupt download stops here, with both checksums), the uploaded copy before it
 * replaces anything, and the next check. The copy goes to a temporary file beside the target,
 * then is renamed over it with its mode and owner already set.
 */
export interface ArtifactSpec {
  localPath: string;
  remotePath: string;
  /** Expected sha256, hex. */
  sha256: string;
  mode: number;
  /** Default root: the upload arrives owned by the login user. */
  owner?: string;
}

const octal = (mode: number) => mode.toString(8).padStart(3, '0');

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function artifactOperation(spec: ArtifactSpec): Operation {
  const expected = spec.sha256.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(expected)) throw new Error(`${spec.localPath}: not a sha256: ${spec.sha256}`);
  const owner = spec.owner ?? 'root';
  const remote = shellQuote(spec.remotePath);

  /** What differs: "content" (needs an upload), mode, owner. */
  const differences = async ({ host }: OperationContext): Promise<string[]> => {
    const result = await runOrFail(
      host,
      `inspecting ${spec.remotePath}`,
      `if [ -f ${remote} ]; then stat -c '%a %U' ${remote} && sha256sum ${remote} | cut -d' ' -f1; fi`,
    );
    const [statLine, digest] = result.stdout.trim().split('\n');
    if (!statLine) return ['new file'];
    const [mode, user] = statLine.split(' ');
    return [
      ...(digest !== expected ? ['content'] : []),
      ...(mode !== octal(spec.mode) ? [`mode ${mode} -> ${octal(spec.mode)}`] : []),
      ...(user !== owner ? [`owner ${user} -> ${owner}`] : []),
    ];
  };
  const describe = (found: string[]) =>
    found.length === 0
      ? []
      : [`${found[0] === 'new file' ? 'create' : 'update'} ${spec.remotePath} (${found.join(', ')})`];

  const upload = async ({ host }: OperationContext) => {
    const measured = await sha256File(spec.localPath).catch((error: unknown) => {
      throw new WireInstallError({
        what: `cannot read ${spec.localPath}: ${error instanceof Error ? error.message : String(error)}`,
      });
    });
    if (measured !== expected)
      throw new WireInstallError({
        what: `${spec.localPath} does not have the expected checksum: not sent to ${host.name}`,
        evidence: [`expected sha256 ${expected}`, `measured sha256 ${measured}`],
        next: 'download the file again (it may be incomplete or corrupt), or check the expected checksum',
      });
    if (!host.putFile)
      throw new WireInstallError({ what: `${host.name}: this host cannot receive files`, host: host.name });
    const made = await runOrFail(
      host,
      `making a temporary file beside ${spec.remotePath}`,
      `mktemp ${shellQuote(`${spec.remotePath}.wire-install.XXXXXX`)}`,
    );
    const temporary = shellQuote(made.stdout.trim());
    try {
      await host.putFile(spec.localPath, made.stdout.trim());
      const sent = await runOrFail(
        host,
        `checksum of the uploaded ${spec.remotePath}`,
        `sha256sum ${temporary}`,
      );
      const digest = sent.stdout.trim().split(' ')[0];
      if (digest !== expected)
        throw new WireInstallError({
          what: `${host.name}: the uploaded copy of ${spec.localPath} does not have the expected checksum`,
          host: host.name,
          evidence: [`expected sha256 ${expected}`, `measured sha256 ${digest}`],
          next: 'run again; if it repeats, check the disk space and health of the host',
        });
      await runOrFail(
        host,
        `installing ${spec.remotePath}`,
        `chmod ${octal(spec.mode)} ${temporary} && chown ${shellQuote(owner)} ${temporary} && mv -f ${temporary} ${remote}`,
      );
    } catch (error) {
      await host.exec(`rm -f ${temporary}`).catch(() => undefined);
      throw error;
    }
  };

  return {
    kind: 'artifact',
    target: spec.remotePath,
    inputs: { remotePath: spec.remotePath, sha256: expected, mode: octal(spec.mode), owner },
    async check(context): Promise<OperationOutcome> {
      const found = await differences(context);
      if (found.length > 0) context.changedPaths.add(spec.remotePath);
      return { changes: describe(found), notes: [] };
    },
    async apply(context): Promise<OperationOutcome> {
      const found = await differences(context);
      if (found.length === 0) return { changes: [], notes: [] };
      context.changedPaths.add(spec.remotePath);
      if (found.includes('new file') || found.includes('content')) await upload(context);
      else
        await runOrFail(
          context.host,
          `setting mode and owner of ${spec.remotePath}`,
          `chmod ${octal(spec.mode)} ${remote} && chown ${shellQuote(owner)} ${remote}`,
        );
      return { changes: describe(found), notes: [] };
    },
  };
}
