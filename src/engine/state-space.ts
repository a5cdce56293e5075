import { constants } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSystemError } from '../core/fs-errors.js';
import { regularFileOrMissing } from '../core/safe-file.js';

/**
 * Space kept for the run state on the disk that holds it. The state is written after every
 * step on every host; when the disk fills up in the middle of a run, the write that fails frees
 * this reserve and is tried again, so the steps that were running when the disk filled are still
 * recorded, and the run then stops with what to do (run-steps.ts). Written with real bytes: a
 * sparse file would reserve nothing.
 */
const RESERVE_FILE = '.state-space';
const MIN_BYTES = 1024 * 1024;
/** Created here or not at all: O_EXCL never opens what is there, O_NOFOLLOW never follows a link. */
const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

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
    // A leftover of a run killed with -9 is ours (a regular file by this name) and is made anew;
    // a link, a device or anything else at the name is refused, never followed or removed.
    if (await regularFileOrMissing(file, "the run state's reserve")) await rm(file);
    let created = false;
    try {
      const stateBytes = await stat(statePath).then(
        (info) => info.size,
        () => 0,
      );
      const handle = await open(file, NEW_FILE, 0o600);
      created = true;
      try {
        await handle.writeFile(Buffer.alloc(Math.max(MIN_BYTES, 4 * stateBytes)));
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (created) await rm(file, { force: true }).catch(() => undefined);
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
