import { describe, expect, it } from 'vitest';
import { resumeCommand } from '../../../src/apply/run-on-hosts.js';
import type { EngineRunFlags } from '../../../src/apply/types.js';

/** apply's flags as the command parses them with nothing given (src/commands/engine-run-flags.ts), and these. */
function flags(given: Partial<EngineRunFlags>): EngineRunFlags {
  return {
    inventory: 'inventory.yaml',
    plan: false,
    concurrency: 20,
    uploadConcurrency: 4,
    helmTimeout: '15m',
    strictHostKeys: false,
    allowUnsupportedOs: false,
    allowUndersized: false,
    ...given,
  };
}

/** The line an interrupted apply prints to resume it: the same run, pasteable. */
describe('the resume command', () => {
  it('keeps every flag that shapes the run (another --secrets would push other passwords), quoted where needed', () => {
    expect(
      resumeCommand(
        flags({
          inventory: '/srv/wire/my inventory.yaml',
          secrets: "/srv/wire/secrets (prod)'s.yaml",
          only: 'databases',
          from: 'databases.cassandra-start',
          strictHostKeys: true,
          allowUndersized: true,
          concurrency: 20,
          uploadConcurrency: 2,
          helmTimeout: '30m',
          dnsServer: '10.0.0.2',
        }),
      ),
    ).toBe(
      "wire-install apply -i '/srv/wire/my inventory.yaml' --secrets '/srv/wire/secrets (prod)'\\''s.yaml' --from databases.cassandra-start --only databases --upload-concurrency 2 --helm-timeout 30m --strict-host-keys --allow-undersized --dns-server 10.0.0.2",
    );
  });

  it('leaves out defaults and --force (a forced step that finished is recorded; the resume must not force it again)', () => {
    expect(resumeCommand(flags({ force: 'bootstrap-host' }))).toBe('wire-install apply');
    expect(resumeCommand(flags({ inventory: 'inv.yaml', plan: true }))).toBe(
      'wire-install apply --plan -i inv.yaml',
    );
  });
});
