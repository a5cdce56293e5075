import { remoteCheck } from '../../operations/remote-check.js';
import type { Operation } from '../../operations/types.js';
import { checkSecretsFile } from '../../preflight/secrets-file.js';
import { defineStep, type WireStageOptions } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const secretsStep = defineStep({
  id: 'preflight.secrets',
  stage: 'preflight',
  title: 'Check secrets.yaml: present, mode 0600, every key this inventory needs',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: 'zauth keys, TURN secret, MinIO and PostgreSQL credentials, MLS removal keys feed the values (the keys offline-secrets.sh generates)',
  alwaysRun: true,
  operations: (_inventory, _host, options) => [secretsCheck(options)],
});

const secretsCheck = (options: Pick<WireStageOptions, 'secrets' | 'secretsPath'>): Operation =>
  remoteCheck('secrets.yaml', () => checkSecretsFile(options.secretsPath, options.secrets));
