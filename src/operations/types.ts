import type { HostFacts } from '../hosts/facts.js';
import type { RemoteHost } from '../hosts/types.js';

/**
 * An operation is one idempotent piece of a step on one host: a file, a package, a service.
 * `check` inspects the host and says what `apply` would change, without changing anything;
 * `apply` checks again and changes only what differs, returning what it changed. An operation
 * whose check returns no changes is current, and apply then does nothing.
 */
export interface OperationContext {
  host: RemoteHost;
  facts: HostFacts;
  /**
   * Paths that earlier operations of the same step on this host changed (apply) or would change
   * (check). A systemd unit restarts when one of the files it watches is in here, so the plan
   * shows the restart that apply will do.
   */
  changedPaths: Set<string>;
}

export interface OperationOutcome {
  /** One line per change, e.g. "create /etc/wil-hello/hello.conf (new file)". Empty: current. */
  changes: string[];
  /** Things the operator should know that are not changes nor failures (e.g. /proc/sys read-only). */
  notes: string[];
}

export interface Operation {
  /** file, template, directory, apt-repository, apt-package, systemd-unit, sysctl, user, group, command, artifact */
  kind: string;
  /** What it acts on: a path, a package, a unit, a user. With kind, one line of the plan. */
  target: string;
  /**
   * Everything that decides what the operation does, for the step's fingerprint (rendered
   * content as a checksum, versions, options). Never a secret in clear: hash it.
   */
  inputs: unknown;
  check(context: OperationContext): Promise<OperationOutcome>;
  apply(context: OperationContext): Promise<OperationOutcome>;
}

export const current = (notes: string[] = []): OperationOutcome => ({ changes: [], notes });
