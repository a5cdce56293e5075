import type { EventEmitter } from 'node:events';

/**
 * Why an SSH connection ended, once it has. ssh2 reports a host that went away as an 'error'
 * event (a keepalive timeout, a reset) on the client, its socket or a channel, and Node ends the
 * process when an emitter without an 'error' listener emits one: node-ssh listens only while it
 * connects or opens a channel. So every emitter of a connection gets a listener here for its
 * whole life, and what it heard becomes the reason the connection was lost, which the host
 * turns into its own "host lost" failure (ssh-errors.ts: hostLostError).
 */
export interface LossReason {
  /** 'silent': no answer to keepalives; 'closed': the host (or the network) ended the connection. */
  kind: 'silent' | 'closed';
  /** ssh2's or the socket's error, when there was one. */
  cause?: Error;
}

export interface ConnectionWatch {
  /**
   * Adds an 'error' listener for the emitter's whole life (the socket, a channel, an SFTP
   * session). Without `onError` the error counts as the connection's (the socket's do); a
   * channel's caller passes its own, since one channel failing is not the host going away.
   */
  guard(emitter: EventEmitter, onError?: (error: Error) => void): void;
  /** Settles when the connection is gone without close() having been called; never rejects. */
  readonly lost: Promise<LossReason>;
  /** The reason, once lost. */
  reason(): LossReason | undefined;
  /** Called by close(): what ends after it is not a loss. */
  closing(): void;
}

/** ssh2's own words for a keepalive timeout (client.js: err.level = 'client-timeout'). */
function isKeepaliveTimeout(error: Error | undefined): boolean {
  return (error as { level?: string } | undefined)?.level === 'client-timeout';
}

export function watchConnection(client: EventEmitter): ConnectionWatch {
  let firstError: Error | undefined;
  let closedByUs = false;
  let reason: LossReason | undefined;
  let settle!: (reason: LossReason) => void;
  const lost = new Promise<LossReason>((resolve) => {
    settle = resolve;
  });
  const heard = (error: Error) => {
    firstError ??= error;
  };
  const ended = () => {
    if (closedByUs || reason) return;
    reason = {
      kind: isKeepaliveTimeout(firstError) ? 'silent' : 'closed',
      ...(firstError ? { cause: firstError } : {}),
    };
    settle(reason);
  };
  client.on('error', heard);
  client.on('close', ended);
  return {
    guard: (emitter, onError = heard) => {
      emitter.on('error', onError);
    },
    lost,
    reason: () => reason,
    closing: () => {
      closedByUs = true;
    },
  };
}
