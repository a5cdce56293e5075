#!/usr/bin/env node
// `wire-install` with the lab play's stages in place of Wire's: the same CLI, flags, output,
// state, lock and Ctrl-C handling as bin/wire-install (runProcess). For the engine's lab tests
// and bench/, e.g.:  node test/lab/play/wire-install-lab.mjs apply -i /run/wire-install-lab/inventory.yaml
import { runProcess } from '../../../dist/cli.js';
import { labPlay } from './lab-play.mjs';

await runProcess({ engineStages: labPlay });
