import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * STAND-IN for helm on the admin machine (tests put its folder first on PATH for the CLI): no
 * cluster is contacted. Each call is recorded as one JSON line in calls.jsonl: its arguments,
 * and for every -f file its path, content, mode and its folder's mode at the moment helm ran
 * (the files are removed afterwards, so only the stand-in can see them). It answers from canned
 * behaviour per release (canned.json: exit code, stdout, stderr), by default success as helm
 * prints it. It refuses a kubeconfig that is missing or readable by others, as kubectl does.
 * It keeps each release's revisions as helm does (releases.json): `upgrade --install` adds one
 * (status failed when the canned answer fails, as a failed --wait leaves it), `rollback
 * <release> <revision>` adds one with that revision's chart; `status -o json` and `history -o
 * json` answer from them ("release: not found" for a release never installed). Canned answers
 * for those are keyed "rollback <release>", "status <release>".
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

if args[:2] != ['upgrade', '--install'] and args[:1] not in (['status'], ['history'], ['rollback']):
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

namespace = args[args.index('--namespace') + 1] if '--namespace' in args else 'default'
releases_path = os.path.join(STATE, 'releases.json')
releases = json.load(open(releases_path)) if os.path.exists(releases_path) else {}
canned_path = os.path.join(STATE, 'canned.json')
canned_all = json.load(open(canned_path)) if os.path.exists(canned_path) else {}

def answer_canned(key):
    canned = canned_all.get(key)
    if canned:
        sys.stdout.write(canned.get('stdout', ''))
        sys.stderr.write(canned.get('stderr', ''))
        sys.exit(canned.get('exitCode', 1))

def save():
    json.dump(releases, open(releases_path, 'w'))

def add_revision(release, chart, status):
    history = releases.setdefault(release, [])
    for entry in history:
        if entry['status'] == 'deployed':
            entry['status'] = 'superseded'
    history.append({'revision': len(history) + 1, 'chart': chart, 'status': status})
    save()
    return history[-1]

if args[0] in ('status', 'history'):
    release = args[1]
    answer_canned('%s %s' % (args[0], release))
    history = releases.get(release)
    if not history:
        fail('release: not found')
    if args[0] == 'history':
        print(json.dumps([{'revision': e['revision'], 'chart': e['chart'], 'status': e['status']} for e in history]))
        sys.exit(0)
    last = history[-1]
    name, _, version = last['chart'].rpartition('-')
    print(json.dumps({'name': release, 'namespace': namespace, 'version': last['revision'],
                      'info': {'status': last['status']},
                      'chart': {'metadata': {'name': name, 'version': version}}}))
    sys.exit(0)

if args[0] == 'rollback':
    release, revision = args[1], int(args[2])
    answer_canned('rollback %s' % release)
    history = releases.get(release, [])
    target = [e for e in history if e['revision'] == revision]
    if not target:
        fail('release has no %d version' % revision)
    add_revision(release, target[0]['chart'], 'deployed')
    print('Rollback was a success! Happy Helming!')
    sys.exit(0)

release = args[2]
chart = os.path.basename(args[3].rstrip('/'))
try:
    version = [l.split(':', 1)[1].strip() for l in open(os.path.join(args[3], 'Chart.yaml')) if l.startswith('version:')][0]
except (OSError, IndexError):
    version = '0'
failing = canned_all.get(release)
add_revision(release, '%s-%s' % (chart, version), 'failed' if failing and failing.get('exitCode', 1) != 0 else 'deployed')
answer_canned(release)
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
  /** The cluster as an earlier install left it: each release at `revision`, of `chart` (e.g. "webapp-5.28.0"). */
  installed(releases: Record<string, { revision: number; chart: string }>): void;
  /** The release's revisions, oldest first, as `helm history` shows them. */
  history(release: string): { revision: number; chart: string; status: string }[];
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
    installed: (releases) => {
      const state = Object.fromEntries(
        Object.entries(releases).map(([release, { revision, chart }]) => [
          release,
          Array.from({ length: revision }, (_, index) => ({
            revision: index + 1,
            chart,
            status: index + 1 === revision ? 'deployed' : 'superseded',
          })),
        ]),
      );
      writeFileSync(join(dir, 'releases.json'), JSON.stringify(state));
    },
    history: (release) => {
      const path = join(dir, 'releases.json');
      if (!existsSync(path)) return [];
      const state = JSON.parse(readFileSync(path, 'utf8')) as Record<
        string,
        { revision: number; chart: string; status: string }[]
      >;
      return state[release] ?? [];
    },
  };
}
