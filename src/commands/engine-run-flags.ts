import type { EngineRunFlags } from '../apply/types.js';
import { optionalText, positiveInteger } from '../core/flag-values.js';
import { parseHelmTimeout } from '../workloads/helm/timeout.js';

/**
 * commander's options -> the flags apply and upgrade share (they run on the same engine), each
 * value checked: --concurrency and --upload-concurrency from 1 to 500, --helm-timeout a duration.
 */
export function parseEngineRunFlags(options: Record<string, unknown>): EngineRunFlags {
  return {
    inventory: String(options.inventory),
    secrets: optionalText(options.secrets),
    plan: Boolean(options.plan),
    from: optionalText(options.from),
    only: optionalText(options.only),
    force: optionalText(options.force),
    concurrency: positiveInteger('concurrency', options.concurrency),
    uploadConcurrency: positiveInteger('upload-concurrency', options.uploadConcurrency),
    helmTimeout: parseHelmTimeout(options.helmTimeout),
    strictHostKeys: Boolean(options.strictHostKeys),
    allowUnsupportedOs: Boolean(options.allowUnsupportedOs),
    allowUndersized: Boolean(options.allowUndersized),
    dnsServer: optionalText(options.dnsServer),
  };
}
