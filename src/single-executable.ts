import { runProcess } from './cli.js';

/**
 * The entry of the single executable `npm run release` builds (docs/release.md), bundled with
 * its dependencies into one CommonJS file (which has no top-level await); bin/wire-install is
 * the npm install's. An error nothing caught ends the process with status 1, as there.
 */
void runProcess();
