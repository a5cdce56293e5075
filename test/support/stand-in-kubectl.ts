import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * STAND-IN for kubectl on the admin machine (tests put its folder first on PATH for the CLI).
 * It records each call's arguments (one JSON line per call in calls.jsonl, the kubeconfig path
 * left out) and answers from canned behaviour: `diff`/`apply -f -` remember the manifest's
 * checksum (diff exits 1 until that manifest was applied), and apply keeps the last manifest; nodes come from the stand-in API
 * of the kubeadm stand-in (test/support/stand-in-kubeadm.ts) at the kubeconfig's server, all
 * Ready; labels and annotations (and a drain's cordon) are kept in a local file, `delete node`
 * deletes it from that API; \`-n kube-system exec etcd-NODE -- etcdctl ... member list -w json\` and
 * \`member remove HEX-ID\` read and change that API's etcd members; kube-system pods are canned, CoreDNS
 * Pending until a pod network was applied. It refuses a kubeconfig that is missing or not 0600.
 */
const SCRIPT = String.raw`#!/usr/bin/env python3
# STAND-IN for kubectl, written by wire-install's tests (test/support/stand-in-kubectl.ts).
import hashlib, json, os, re, sys, urllib.request

STATE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
args = sys.argv[1:]

def fail(message, code=1):
    print('kubectl (stand-in): ' + message, file=sys.stderr)
    sys.exit(code)

if args[:2] == ['version', '--client']:
    # What kubectl 1.29 prints for 'version --client -o json' (preflight.admin-tools); no cluster asked.
    print(json.dumps({'clientVersion': {'major': '1', 'minor': '29', 'gitVersion': 'v1.29.10'}}))
    sys.exit(0)
if '--kubeconfig' not in args:
    fail('no --kubeconfig')
index = args.index('--kubeconfig')
config = args[index + 1]
args = args[:index] + args[index + 2:]
with open(os.path.join(STATE, 'calls.jsonl'), 'a') as f:
    f.write(json.dumps(args) + '\n')
if not os.path.exists(config):
    fail('kubeconfig %s does not exist' % config)
if os.stat(config).st_mode & 0o077:
    fail('kubeconfig %s is readable by others' % config)
server = re.search(r'server:\s*https://(\S+)', open(config).read()).group(1)

def load(name, default):
    path = os.path.join(STATE, name)
    return json.load(open(path)) if os.path.exists(path) else default

def save(name, value):
    json.dump(value, open(os.path.join(STATE, name), 'w'))

def nodes():
    joined = json.load(urllib.request.urlopen('http://%s/nodes' % server, timeout=10))
    meta = load('metadata.json', {})
    return [{'metadata': {'name': n['name'], 'labels': meta.get(n['name'], {}).get('labels', {}),
                          'annotations': meta.get(n['name'], {}).get('annotations', {})},
             'spec': {'unschedulable': meta.get(n['name'], {}).get('unschedulable', False)},
             'status': {'conditions': [{'type': 'Ready', 'status': 'True'}],
                        'addresses': [{'type': 'InternalIP', 'address': n['ip']}]}} for n in joined]

if args[0] == 'diff' and args[-2:] == ['-f', '-']:
    digest = hashlib.sha256(sys.stdin.read().encode()).hexdigest()
    if digest in load('applied.json', []):
        sys.exit(0)
    print('diff -u live manifest (stand-in)')
    sys.exit(1)
if args[0] == 'apply' and args[-2:] == ['-f', '-']:
    manifest = sys.stdin.read()
    applied = load('applied.json', [])
    applied.append(hashlib.sha256(manifest.encode()).hexdigest())
    save('applied.json', applied)
    with open(os.path.join(STATE, 'last-applied.yaml'), 'w') as f:
        f.write(manifest)
    print('configured (stand-in)')
    sys.exit(0)
if args[0] == 'wait':
    for node in nodes():
        print('node/%s condition met' % node['metadata']['name'])
    sys.exit(0)
if args[:2] == ['get', 'nodes']:
    print(json.dumps({'items': nodes()}))
    sys.exit(0)
if args[:2] == ['get', 'node']:
    found = [n for n in nodes() if n['metadata']['name'] == args[2]]
    if not found:
        fail('Error from server (NotFound): nodes "%s" not found' % args[2])
    print('node/' + args[2] if args[3:5] == ['-o', 'name'] else json.dumps(found[0]))
    sys.exit(0)
if args[0] == 'drain':
    if args[1] not in [n['metadata']['name'] for n in nodes()]:
        fail('Error from server (NotFound): nodes "%s" not found' % args[1])
    if '--ignore-daemonsets' not in args:
        fail('cannot delete DaemonSet-managed Pods (use --ignore-daemonsets)')
    meta = load('metadata.json', {})
    meta.setdefault(args[1], {})['unschedulable'] = True
    save('metadata.json', meta)
    print('node/%s cordoned\nnode/%s drained (stand-in)' % (args[1], args[1]))
    sys.exit(0)
if args[:2] == ['delete', 'node']:
    try:
        urllib.request.urlopen(urllib.request.Request('http://%s/nodes/%s' % (server, args[2]), method='DELETE'), timeout=10)
    except urllib.error.HTTPError as error:
        fail('Error from server (NotFound): nodes "%s" not found' % args[2] if error.code == 404 else error.read().decode())
    print('node "%s" deleted (stand-in)' % args[2])
    sys.exit(0)
if args[0] in ('label', 'annotate') and args[1] == 'node':
    if '--overwrite' not in args:
        fail('use --overwrite')
    meta = load('metadata.json', {})
    kind = 'labels' if args[0] == 'label' else 'annotations'
    for pair in args[3:]:
        if '=' in pair:
            key, value = pair.split('=', 1)
            meta.setdefault(args[2], {}).setdefault(kind, {})[key] = value
    save('metadata.json', meta)
    print('node/%s %s (stand-in)' % (args[2], 'labeled' if kind == 'labels' else 'annotated'))
    sys.exit(0)
if args[:3] == ['-n', 'kube-system', 'exec'] and 'etcdctl' in args:
    # etcdctl in the etcd pod of a control plane: member list -w json, member remove HEX-ID.
    pod = args[3]
    if not pod.startswith('etcd-') or pod[len('etcd-'):] not in [n['metadata']['name'] for n in nodes()]:
        fail('Error from server (NotFound): pods "%s" not found' % pod)
    rest = args[args.index('etcdctl') + 1:]
    if '--endpoints=https://127.0.0.1:2379' not in rest or not any(a.startswith('--cacert=') for a in rest):
        fail('etcdctl: context deadline exceeded (no endpoint or certificates)')
    words = [a for a in rest if not a.startswith('--')]
    if words[:2] == ['member', 'list'] and rest[-2:] == ['-w', 'json']:
        members = json.load(urllib.request.urlopen('http://%s/etcd/members' % server, timeout=10))
        print(json.dumps({'header': {'cluster_id': 1}, 'members': members}))
        sys.exit(0)
    if words[:2] == ['member', 'remove'] and len(words) == 3:
        try:
            urllib.request.urlopen(urllib.request.Request('http://%s/etcd/members/%s' % (server, words[2]), method='DELETE'), timeout=10)
        except urllib.error.HTTPError as error:
            fail('Error: ' + json.loads(error.read().decode())['error'])
        print('Member %s removed from cluster 1 (stand-in)' % words[2])
        sys.exit(0)
    fail('etcdctl (stand-in): no canned answer for ' + ' '.join(rest))
if args[:4] == ['-n', 'kube-system', 'get', 'pods']:
    network = len(load('applied.json', [])) > 0
    pods = [{'metadata': {'name': 'kube-apiserver-' + n['metadata']['name']}, 'status': {'phase': 'Running'}} for n in nodes()]
    if network:
        pods += [{'metadata': {'name': 'calico-node-%d' % i}, 'status': {'phase': 'Running'}} for i in range(len(nodes()))]
    pods += [{'metadata': {'name': 'coredns-%d' % i}, 'status': {'phase': 'Running' if network else 'Pending'}} for i in range(2)]
    print(json.dumps({'items': pods}))
    sys.exit(0)
fail('no canned answer for: ' + ' '.join(args))
`;

export interface StandInKubectl {
  /** Put first on PATH. */
  bin: string;
  /** Every call's arguments, in order. */
  calls(): string[][];
  /** The manifest of the last `apply -f -`. */
  lastApplied(): string;
}

export function standInKubectl(dir: string): StandInKubectl {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'kubectl'), SCRIPT);
  chmodSync(join(bin, 'kubectl'), 0o755);
  const log = join(dir, 'calls.jsonl');
  writeFileSync(log, '');
  return {
    bin,
    calls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as string[]),
    lastApplied: () => readFileSync(join(dir, 'last-applied.yaml'), 'utf8'),
  };
}
