import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSystemError } from '../core/fs-errors.js';

/**
 * Space kept for the run state on the disk that holds it. The state is written after every
 * step on every host; when the disk fills up in the middle of a run, the write that fails frees
 * this reserve and is tried again, so the steps that were running when the disk filled are still
 * recorded, and the run then stops with what to do (run-steps.ts). Written with real bytes: a
 * sparse file would reserve nothing.
 */
const RESERVE_FILE = '.state-space';
const MIN_BYTES = 1024 * 1024;

export class StateSpace {
  private released: Promise<void> | undefined;

  private constructor(
    private readonly file: string,
    /** The state file the space is for, named in messages. */
    readonly statePath: string,
  ) {}

  /**
   * Keeps max(1 MiB, 4 x the state file's size) beside the state, before any step runs: a disk
   * without that much room fails here, with the path and what to do, and nothing has changed.
   */
  static async keep(stateDir: string): Promise<StateSpace> {
    const file = join(stateDir, RESERVE_FILE);
    const statePath = join(stateDir, 'state.json');
    try {
      const stateBytes = await stat(statePath).then(
        (info) => info.size,
        () => 0,
      );
      const handle = await open(file, 'w', 0o600);
      try {
        await handle.writeFile(Buffer.alloc(Math.max(MIN_BYTES, 4 * stateBytes)));
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await rm(file, { force: true }).catch(() => undefined);
      throw fileSystemError(error, file, 'keeping space for the run state') ?? error;
    }
    return new StateSpace(file, statePath);
  }

  /** Gives the space back to the disk; every caller waits for the same removal. */
  release(): Promise<void> {
    this.released ??= rm(this.file, { force: true });
    return this.released;
  }
}
