import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * STAND-IN for helm on the admin machine (tests put its folder first on PATH for the CLI): no
 * cluster is contacted. Each call is recorded as one JSON line in calls.jsonl: its arguments,
 * and for every -f file its path, content, mode and its folder's mode at the moment helm ran
 * (the files are removed afterwards, so only the stand-in can see them). It answers from canned
 * behaviour per release (canned.json: exit code, stdout, stderr), by default success as helm
 * prints it. It refuses a kubeconfig that is missing or readable by others, as kubectl does.
 */
const SCRIPT = String.raw`#!/usr/bin/env python3
# STAND-IN for helm, written by wire-install's tests (test/support/stand-in-helm.ts).
import json, os, sys

STATE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]

if args[:1] == ['version']:
    print('v3.17.2+gstandin')
    sys.exit(0)

files = []
for i, arg in enumerate(args):
    if arg in ('-f', '--values') and i + 1 < len(args):
        path = args[i + 1]
        entry = {'path': path}
        if os.path.exists(path):
            entry['content'] = open(path).read()
            entry['mode'] = os.stat(path).st_mode & 0o777
            entry['dirMode'] = os.stat(os.path.dirname(path)).st_mode & 0o777
        files.append(entry)
with open(os.path.join(STATE, 'calls.jsonl'), 'a') as f:
    f.write(json.dumps({'argv': args, 'files': files}) + '\n')

def fail(message, code=1):
    print('Error: ' + message, file=sys.stderr)
    sys.exit(code)

if args[:2] != ['upgrade', '--install']:
    fail('stand-in: no canned answer for: ' + ' '.join(args))
if '--kubeconfig' not in args:
    fail('Kubernetes cluster unreachable: no --kubeconfig (stand-in)')
config = args[args.index('--kubeconfig') + 1]
if not os.path.exists(config):
    fail('stat %s: no such file or directory' % config)
if os.stat(config).st_mode & 0o077:
    fail('kubeconfig %s is readable by others (stand-in refuses it)' % config)
for entry in files:
    if 'content' not in entry:
        fail('open %s: no such file or directory' % entry['path'])

release = args[2]
namespace = args[args.index('--namespace') + 1] if '--namespace' in args else 'default'
canned_path = os.path.join(STATE, 'canned.json')
canned = json.load(open(canned_path)).get(release) if os.path.exists(canned_path) else None
if canned:
    sys.stdout.write(canned.get('stdout', ''))
    sys.stderr.write(canned.get('stderr', ''))
    sys.exit(canned.get('exitCode', 1))
print('Release "%s" has been upgraded. Happy Helming!' % release)
print('NAME: %s' % release)
print('NAMESPACE: %s' % namespace)
print('STATUS: deployed')
`;

export interface HelmFile {
  path: string;
  /** Absent when the file did not exist when helm ran. */
  content?: string;
  mode?: number;
  dirMode?: number;
}

export interface HelmCall {
  argv: string[];
  files: HelmFile[];
}

export interface CannedHelm {
  exitCode: number;
  stdout?: string;
  stderr?: string;
}

export interface StandInHelm {
  /** Put first on PATH. */
  bin: string;
  /** Every call, in order. */
  calls(): HelmCall[];
  /** The releases `helm upgrade --install` was called for, in order. */
  releases(): string[];
  /** What the stand-in answers for these releases from now on; the others succeed. */
  answer(canned: Record<string, CannedHelm>): void;
}

export function standInHelm(dir: string): StandInHelm {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'helm'), SCRIPT);
  chmodSync(join(bin, 'helm'), 0o755);
  const log = join(dir, 'calls.jsonl');
  writeFileSync(log, '');
  const calls = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as HelmCall);
  return {
    bin,
    calls,
    releases: () =>
      calls()
        .filter((call) => call.argv[0] === 'upgrade')
        .map((call) => call.argv[2] ?? ''),
    answer: (canned) => writeFileSync(join(dir, 'canned.json'), JSON.stringify(canned)),
  };
}
