import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * STAND-IN for kubectl that replays a script (tests put its folder first on PATH): each call's
 * arguments are recorded (calls.jsonl, the kubeconfig left out), and the first rule whose
 * `match` is a substring of the arguments (joined by spaces) answers with its next response;
 * the last response repeats once the sequence is used up. A sequence of `get pods -o json`
 * answers walks init containers from running to terminated. No rule matches: exit 9.
 */
const SCRIPT = String.raw`#!/usr/bin/env python3
# STAND-IN for kubectl that replays canned answers, written by wire-install's tests
# (test/support/stand-in-kubectl-replay.ts). It is not kubectl and talks to no cluster.
import fcntl, json, os, sys

STATE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]
if '--kubeconfig' in args:
    i = args.index('--kubeconfig')
    args = args[:i] + args[i + 2:]
# doctor runs several kubectl calls at once: one lock around the log and the counters, or a
# call reads counters.json while another is rewriting it (seen under load as a failed check).
lock = open(os.path.join(STATE, 'lock'), 'w')
fcntl.flock(lock, fcntl.LOCK_EX)
with open(os.path.join(STATE, 'calls.jsonl'), 'a') as f:
    f.write(json.dumps(args) + '\n')
script = json.load(open(os.path.join(STATE, 'script.json')))
counters_path = os.path.join(STATE, 'counters.json')
counters = json.load(open(counters_path)) if os.path.exists(counters_path) else {}
joined = ' '.join(args)
for index, rule in enumerate(script):
    if rule['match'] in joined:
        n = counters.get(str(index), 0)
        counters[str(index)] = n + 1
        json.dump(counters, open(counters_path, 'w'))
        responses = rule['responses']
        answer = responses[min(n, len(responses) - 1)]
        sys.stdout.write(answer.get('stdout', ''))
        sys.stderr.write(answer.get('stderr', ''))
        sys.exit(answer.get('exit', 0))
sys.stderr.write('kubectl (stand-in): no canned answer for: %s\n' % joined)
sys.exit(9)
`;

export interface ReplayResponse {
  stdout?: string;
  stderr?: string;
  exit?: number;
}

export interface ReplayRule {
  /** A substring of the call's arguments, joined by spaces (without --kubeconfig <path>). */
  match: string;
  responses: ReplayResponse[];
}

export interface ReplayKubectl {
  /** Put first on PATH. */
  bin: string;
  /** Every call's arguments, in order. */
  calls(): string[][];
}

export function standInKubectlReplay(dir: string, script: ReplayRule[]): ReplayKubectl {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'kubectl'), SCRIPT);
  chmodSync(join(bin, 'kubectl'), 0o755);
  writeFileSync(join(dir, 'script.json'), JSON.stringify(script));
  const log = join(dir, 'calls.jsonl');
  writeFileSync(log, '');
  return {
    bin,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as string[]),
  };
}

/** JSON answers shaped like kubectl's, for building scripts. */
export const kube = {
  list: (items: unknown[]) => ({ stdout: JSON.stringify({ kind: 'List', items }) }),
  job(name: string, state: 'running' | 'complete' | 'failed', created = new Date().toISOString()) {
    const conditions =
      state === 'complete'
        ? [{ type: 'Complete', status: 'True' }]
        : state === 'failed'
          ? [
              {
                type: 'Failed',
                status: 'True',
                reason: 'BackoffLimitExceeded',
                message: 'Job has reached the specified backoff limit',
              },
            ]
          : [];
    return {
      kind: 'Job',
      metadata: { name, creationTimestamp: created },
      status: { ...(state === 'running' ? { active: 1 } : {}), conditions },
    };
  },
  /**
   * A job's pod; each container as `name=state` where state is pending, running, done, failed
   * (terminated, exit 1), or crashloop (waiting CrashLoopBackOff after a failed run).
   */
  pod(job: string, init: string[], main: string[], created = new Date().toISOString()) {
    const status = (spec: string) => {
      const [name = '', state = 'pending'] = spec.split('=');
      const body: Record<string, unknown> = { name, restartCount: 0 };
      if (state === 'running') body.state = { running: { startedAt: created } };
      if (state === 'done') body.state = { terminated: { exitCode: 0, reason: 'Completed' } };
      if (state === 'failed') body.state = { terminated: { exitCode: 1, reason: 'Error' } };
      if (state === 'pending') body.state = { waiting: { reason: 'PodInitializing' } };
      if (state === 'crashloop') {
        body.state = { waiting: { reason: 'CrashLoopBackOff' } };
        body.lastState = { terminated: { exitCode: 1, reason: 'Error' } };
        body.restartCount = 2;
      }
      return body;
    };
    const names = (specs: string[]) => specs.map((spec) => ({ name: spec.split('=')[0] }));
    return {
      kind: 'Pod',
      metadata: { name: `${job}-x7k2p`, labels: { 'job-name': job }, creationTimestamp: created },
      spec: { initContainers: names(init), containers: names(main) },
      status: {
        phase: 'Pending',
        initContainerStatuses: init.map(status),
        containerStatuses: main.map(status),
      },
    };
  },
};
