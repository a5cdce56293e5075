/**
 * The process's one interrupt path (Ctrl-C, SIGTERM). The first signal aborts `signal`: a
 * command stops starting work, finishes what is in flight, records it and exits 130. The
 * second means "now": what the running command registered with onStopAtOnce says what is
 * left behind and records what it can within STOP_AT_ONCE_MS, then the process exits 130.
 *
 * Nothing else may listen for these signals: a library's own handler (listr2 registers one
 * that exits 127) would end the process before the run is recorded.
 */
export type StopAtOnce = () => void | Promise<void>;

export interface Interrupt {
  /** Aborted by the first interrupt; its reason is the signal's name ('SIGINT', 'SIGTERM'). */
  readonly signal: AbortSignal;
  /** What a second interrupt runs before the process exits; the latest registered wins. Returns the unregister. */
  onStopAtOnce(handler: StopAtOnce): () => void;
}

/** How long a second interrupt waits for what the command records before the process exits anyway. */
export const STOP_AT_ONCE_MS = 1500;

export interface ProcessInterrupt extends Interrupt {
  /** One signal received: 'abort' for the first, 'stop' (run the handler, then exit) after. */
  receive(signal: NodeJS.Signals): 'abort' | 'stop';
  /** The registered handler's work, bounded by STOP_AT_ONCE_MS; a failure there is not waited on. */
  stopAtOnce(): Promise<void>;
}

export function createInterrupt(): ProcessInterrupt {
  const controller = new AbortController();
  const handlers: StopAtOnce[] = [];
  let received = 0;
  return {
    signal: controller.signal,
    onStopAtOnce(handler) {
      handlers.push(handler);
      return () => {
        const index = handlers.lastIndexOf(handler);
        if (index >= 0) handlers.splice(index, 1);
      };
    },
    receive(signal) {
      received += 1;
      if (received > 1) return 'stop';
      controller.abort(signal);
      return 'abort';
    },
    async stopAtOnce() {
      const handler = handlers.at(-1);
      if (!handler) return;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_AT_ONCE_MS);
      });
      try {
        await Promise.race([Promise.resolve().then(handler), deadline]);
      } catch {
        // Exiting anyway: what could not be recorded is said by the handler before it failed.
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
