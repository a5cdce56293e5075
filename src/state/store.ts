import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { inputError } from '../core/errors.js';
import { readRegularFile } from '../core/safe-file.js';

/**
 * The checkpoint state of an installation (`.wire-install/state.json` beside the inventory):
 * per step and host, how it ended, with which fingerprint, when, in which run. Written
 * atomically after every step on every host, so a crash or Ctrl-C loses at most the step that
 * was running, and the next apply resumes exactly there.
 */
export interface StepRecord {
  status: 'succeeded' | 'failed';
  fingerprint: string;
  finishedAt: string;
  runId: string;
  /** For failures: the first line of what went wrong. */
  error?: string;
}

/**
 * Who a host was when wire-install last worked on it: a host whose machine-id or SSH host key
 * differs now was rebuilt or replaced, and what its steps recorded no longer describes it.
 */
export interface HostIdentity {
  /** /etc/machine-id. */
  machineId: string;
  /** The SSH host key it offered, `<type> SHA256:...`. */
  hostKey?: string;
  recordedAt: string;
}

export interface StateFile {
  version: 1;
  steps: Record<string, Record<string, StepRecord>>;
  /** Per host, its identity at the last apply (absent in state files of older versions). */
  hosts?: Record<string, HostIdentity>;
}

export const STATE_DIR = '.wire-install';

/** A hundred steps on a hundred hosts is about 2 MB: a larger file is not this state. */
const STATE_MAX_BYTES = 32 * 1024 * 1024;

function emptyState(): StateFile {
  return { version: 1, steps: {} };
}

export async function loadState(stateDir: string): Promise<StateFile> {
  const file = join(stateDir, 'state.json');
  // Rewritten after every step: never through a link, and a directory there is named as such.
  const read = await readRegularFile(file, { role: 'the run state', maxBytes: STATE_MAX_BYTES });
  if (!read) return emptyState();
  const { text } = read;
  try {
    const state = JSON.parse(text) as StateFile;
    if (state.version !== 1 || typeof state.steps !== 'object' || state.steps === null)
      throw new Error('unknown format');
    return state;
  } catch (error) {
    throw inputError({
      what: `the state file ${file} cannot be read: ${(error as Error).message}`,
      next: 'restore it from a backup, or move it away: the next apply then re-checks every step (changing only what differs)',
    });
  }
}

export class StateStore {
  /** The write under way (or the last one). */
  private writing: Promise<void> = Promise.resolve();
  /** The write that follows it, not started yet: every record made meanwhile goes out with it. */
  private next: Promise<void> | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly state: StateFile,
  ) {}

  static async open(stateDir: string): Promise<StateStore> {
    return new StateStore(stateDir, await loadState(stateDir));
  }

  get(step: string, host: string): StepRecord | undefined {
    return this.state.steps[step]?.[host];
  }

  /** Skip only what succeeded before with exactly these inputs. */
  isCurrent(step: string, host: string, fingerprint: string): boolean {
    const record = this.get(step, host);
    return record?.status === 'succeeded' && record.fingerprint === fingerprint;
  }

  /**
   * Records one step on one host and writes the file; settles once a write holding the record is
   * on disk (or has failed). Writes go one at a time, each with the whole state: records made
   * while one is under way go out together in the next (twenty hosts ending a step at once are
   * one or two writes, not twenty in a row each host waits for).
   */
  record(step: string, host: string, record: StepRecord): Promise<void> {
    this.state.steps[step] = { ...this.state.steps[step], [host]: record };
    return this.write();
  }

  identity(host: string): HostIdentity | undefined {
    return this.state.hosts?.[host];
  }

  /** Records who the host is now (written with the next write, settled like record()). */
  recordIdentity(host: string, identity: HostIdentity): Promise<void> {
    this.state.hosts = { ...this.state.hosts, [host]: identity };
    return this.write();
  }

  /**
   * Forgets every step recorded on a host that was rebuilt or replaced: its steps then count as
   * never run there, and the next apply installs it again. The other hosts' records stay.
   */
  forgetHost(host: string): Promise<void> {
    for (const hosts of Object.values(this.state.steps)) delete hosts[host];
    return this.write();
  }

  /** Forgets a host taken out of the installation (remove-host): its records and its identity. */
  removeHost(host: string): Promise<void> {
    for (const hosts of Object.values(this.state.steps)) delete hosts[host];
    if (this.state.hosts) delete this.state.hosts[host];
    return this.write();
  }

  private write(): Promise<void> {
    if (this.next) return this.next;
    // A failed earlier write must not stop later ones: each write carries the whole state.
    const next = this.writing
      .catch(() => undefined)
      .then(() => {
        // From here on a record needs a write of its own: this one's snapshot is taken now.
        this.next = undefined;
        const snapshot = `${JSON.stringify(this.state, null, 2)}\n`;
        return writeFileAtomic(join(this.stateDir, 'state.json'), snapshot, {
          mode: 0o600,
          role: 'the run state',
        });
      });
    this.next = next;
    this.writing = next;
    return next;
  }
}
