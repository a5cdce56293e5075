/**
 * At most `limit` tasks at once; the rest wait in order. One SSH connection carries only as many
 * channels as the server's MaxSessions allows (OpenSSH: 10), and a channel over the limit fails
 * with "Channel open failure" instead of waiting, so the host queues its commands itself.
 */
export function createLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
