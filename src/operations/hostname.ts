import { shellQuote } from '../hosts/become.js';
import { runOrFail } from './run.js';
import type { Operation, OperationContext } from './types.js';

/**
 * The host's name, now (the kernel's) and after reboot (/etc/hostname). RabbitMQ needs the
 * inventory names to be the real hostnames (docs/wire/inventory-and-hardware.md#inventory-groups), so apply sets both to the inventory name.
 */
export function hostnameOperation(name: string): Operation {
  const look = async (context: OperationContext) => {
    const result = await runOrFail(
      context.host,
      'reading the hostname',
      'cat /proc/sys/kernel/hostname; cat /etc/hostname 2>/dev/null || true',
    );
    const [running = '', persisted = ''] = result.stdout.split('\n').map((line) => line.trim());
    const changes: string[] = [];
    if (running !== name) changes.push(`set hostname ${running || '(none)'} -> ${name}`);
    if (persisted !== name) changes.push(`write /etc/hostname (${persisted || 'empty'} -> ${name})`);
    return changes;
  };
  return {
    kind: 'hostname',
    target: name,
    inputs: { name },
    async check(context) {
      return { changes: await look(context), notes: [] };
    },
    async apply(context) {
      const changes = await look(context);
      if (changes.length === 0) return { changes, notes: [] };
      const quoted = shellQuote(name);
      await runOrFail(
        context.host,
        'setting the hostname',
        `printf '%s\\n' ${quoted} > /etc/hostname.wire-install && mv -f /etc/hostname.wire-install /etc/hostname && hostname ${quoted}`,
      );
      context.changedPaths.add('/etc/hostname');
      return { changes, notes: [] };
    },
  };
}
