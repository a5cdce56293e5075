import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseInitFlags } from '../../../src/commands/init.js';
import type { CommandContext } from '../../../src/core/command-context.js';
import type { Finding } from '../../../src/core/finding.js';
import { createMemoryOutput } from '../../../src/core/output.js';
import { interrupted, type Prompter } from '../../../src/init/prompter.js';
import { runInit } from '../../../src/init/run-init.js';
import { at, createScriptedPrompter, DEFAULT } from '../../../src/init/scripted-prompter.js';
import type { EnsureSecrets } from '../../../src/init/write.js';
import { parseInventoryText } from '../../../src/inventory/load.js';

/** The rules are mocked here so a finding can be forced; the real ones run in the CLI tests. */
const findings = vi.hoisted(() => ({ list: [] as Finding[] }));
vi.mock('../../../src/rules/index.js', () => ({ checkInventory: async () => findings.list }));

const DEMO_FLAGS = {
  nonInteractive: true,
  mode: 'demo',
  domain: 'wire.example.com',
  certificates: 'self-signed',
  host: ['name=wire,address=192.168.122.10'],
};

let dir: string;
let ensureSecrets: ReturnType<typeof vi.fn<EnsureSecrets>>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wire-install-init-'));
  findings.list = [];
  ensureSecrets = vi.fn<EnsureSecrets>(async (path) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, 'fake: secrets\n', { mode: 0o600 });
    return { status: 'created' };
  });
});

afterEach(() => rm(dir, { recursive: true, force: true }));

function context(options: { json?: boolean; interactive?: boolean } = {}) {
  const output = createMemoryOutput({ json: options.json });
  const ctx: CommandContext = {
    output,
    cwd: dir,
    env: {},
    interactive: options.interactive ?? false,
    signal: new AbortController().signal,
  };
  return { ctx, output };
}

async function init(
  options: Record<string, unknown>,
  ctxOptions: Parameters<typeof context>[0] = {},
  prompter?: Prompter,
) {
  const { ctx, output } = context(ctxOptions);
  const code = await runInit(parseInitFlags({ inventory: 'inventory.yaml', ...options }), ctx, {
    ensureSecrets,
    ...(prompter && { createPrompter: () => prompter }),
  });
  return { code, stdout: output.stdoutText(), stderr: output.stderrText() };
}

describe('init, from options to exit code', () => {
  it('writes a demo from flags with --non-interactive and says what it wrote', async () => {
    const { code, stdout } = await init(DEMO_FLAGS);
    expect(code).toBe(0);
    const text = await readFile(join(dir, 'inventory.yaml'), 'utf8');
    expect(parseInventoryText(text, join(dir, 'inventory.yaml')).inventory.hosts[0]?.roles).toEqual([
      'kube-control-plane',
      'kube-worker',
      'coturn',
    ]);
    expect(ensureSecrets).toHaveBeenCalledExactlyOnceWith(join(dir, 'secrets.yaml'));
    expect(stdout).toContain('Wrote inventory.yaml (demo, wire.example.com, 1 host)');
    expect(stdout).toContain('Secrets: created secrets.yaml');
    expect(stdout).toContain("Wire's rules: no findings.");
  });

  it('prints one init record with --json', async () => {
    const { code, stdout } = await init({ ...DEMO_FLAGS, secrets: 'private/s.yaml' }, { json: true });
    expect(code).toBe(0);
    const records = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records).toEqual([
      {
        type: 'init',
        inventory: join(dir, 'inventory.yaml'),
        secrets: join(dir, 'private/s.yaml'),
        secretsStatus: 'created',
        findings: [],
      },
    ]);
  });

  it('without a terminal and without --non-interactive, says to pass it (exit 2)', async () => {
    const { code, stderr } = await init({ ...DEMO_FLAGS, nonInteractive: undefined });
    expect(code).toBe(2);
    expect(stderr).toContain('--non-interactive');
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps an existing inventory unless --force is given', async () => {
    await writeFile(join(dir, 'inventory.yaml'), 'mine\n');
    const refused = await init(DEMO_FLAGS);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');
    expect(await readFile(join(dir, 'inventory.yaml'), 'utf8')).toBe('mine\n');
    expect((await init({ ...DEMO_FLAGS, force: true })).code).toBe(0);
  });

  it('blocks writing when the rules report an error, and shows the finding', async () => {
    findings.list = [
      {
        severity: 'error',
        rule: 'hardware.memory',
        host: 'wire',
        message: 'too little memory',
        fix: 'add memory',
      },
    ];
    const { code, stdout, stderr } = await init(DEMO_FLAGS);
    expect(code).toBe(2);
    expect(stdout).toContain('hardware.memory');
    expect(stderr).toContain("break 1 of Wire's rules; nothing was written");
    expect(await readdir(dir)).toEqual([]);
  });

  it('runs the wizard at a terminal and writes what was answered', async () => {
    const prompter = createScriptedPrompter([
      at('TURN', false),
      at('conference', false),
      at('Host name', DEFAULT),
      at('Address', '192.168.122.10'),
      at('CPU', 16),
      at('Memory', 32),
      at('Disk', 300),
      at('login user', 'wire'),
      at('SSH port', DEFAULT),
      at('private key', ''),
      at('bastion', false),
      at('as root', DEFAULT),
      at('bundle', ''),
      at('Write the files', 'write'),
    ]);
    const flags = { mode: 'demo', domain: 'wire.example.com', certificates: 'self-signed' };
    const { code, stdout } = await init(flags, { interactive: true }, prompter);
    expect(code).toBe(0);
    expect(stdout).toContain('Summary:');
    const text = await readFile(join(dir, 'inventory.yaml'), 'utf8');
    expect(text).toContain('become:\n    enabled: true\n    password: false');
  });

  it('asks before replacing an existing inventory; no means nothing is written', async () => {
    await writeFile(join(dir, 'inventory.yaml'), 'mine\n');
    const prompter = createScriptedPrompter([at('exists. Replace it', DEFAULT)]);
    const { code, stderr } = await init({}, { interactive: true }, prompter);
    expect(code).toBe(2);
    expect(stderr).toContain('not overwritten');
    expect(await readFile(join(dir, 'inventory.yaml'), 'utf8')).toBe('mine\n');
  });

  it('Ctrl-C at a prompt exits 130 and writes nothing', async () => {
    const prompter = createScriptedPrompter(['demo']);
    prompter.input = async () => {
      throw interrupted();
    };
    const { code, stderr } = await init({}, { interactive: true }, prompter);
    expect(code).toBe(130);
    expect(stderr).toContain('nothing was written');
    expect(await readdir(dir)).toEqual([]);
    expect(ensureSecrets).not.toHaveBeenCalled();
  });
});
