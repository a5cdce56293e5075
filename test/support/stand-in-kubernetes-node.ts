import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUNDLE_BINARIES } from '../../src/bundle/binaries.js';
import type { StandInFiles } from './bundle.js';

/**
 * Lab STAND-INS for the Kubernetes node binaries (containerd, ctr, runc, kubelet, kubeadm,
 * kubectl, crictl, CNI plugins), which cannot run in the lab's containers. They are small sh and
 * python3 scripts placed exactly where the real files are in the bundle's tarballs
 * (BUNDLE_BINARIES), so the production code downloads and unpacks them as it would the real
 * ones. Each says it is a lab stand-in.
 *
 * - containerd reads its config.toml (a broken file fails the service), listens on the [grpc]
 *   address, tells systemd it is ready (Type=notify) and keeps the image names it is given
 *   under its root directory;
 * - ctr talks to it over that socket (so `ctr version` answers only while it runs); `images
 *   import` reads a real docker-archive tar (manifest.json) and records the RepoTags;
 *   `images ls -q` lists them.
 *
 * Image tarballs are real tars made here with a docker-archive manifest.json naming the image.
 */

const STAND_IN_CONTAINERD = `#!/usr/bin/env python3
# Lab stand-in for containerd (wire-install tests): the real one cannot run in the lab's
# containers. Reads its config.toml, serves ctr on the [grpc] address, keeps image names.
import json, os, socket, sys, tomllib
args = sys.argv[1:]
config = args[args.index('--config') + 1] if '--config' in args else '/etc/containerd/config.toml'
with open(config, 'rb') as f:
    conf = tomllib.load(f)  # a broken file: exit 1, as containerd fails on it
if conf.get('version') != 2:
    sys.exit(f'containerd (lab stand-in): {config}: only config version 2 is understood')
conf['plugins']['io.containerd.grpc.v1.cri']['sandbox_image']
address = conf.get('grpc', {}).get('address', '/run/containerd/containerd.sock')
store = os.path.join(conf.get('root', '/var/lib/containerd'), 'lab-stand-in-images')
os.makedirs(store, exist_ok=True)
os.makedirs(os.path.dirname(address), exist_ok=True)
if os.path.exists(address):
    os.unlink(address)
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(address)
server.listen(16)
notify = os.environ.get('NOTIFY_SOCKET')
if notify:
    ready = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ready.connect('\\0' + notify[1:] if notify.startswith('@') else notify)
    ready.sendall(b'READY=1')
print(f'containerd (lab stand-in) serving on {address} with {config}', flush=True)

def images(ns):
    path = os.path.join(store, ns)
    return open(path).read().split() if os.path.exists(path) else []

while True:
    conn, _ = server.accept()
    with conn:
        data = b''
        while chunk := conn.recv(65536):
            data += chunk
        request = json.loads(data or b'{}')
        ns = request.get('ns', 'default')
        if request.get('cmd') == 'import':
            names = sorted(set(images(ns)) | set(request['images']))
            with open(os.path.join(store, ns), 'w') as f:
                f.write(''.join(name + '\\n' for name in names))
            print(f'imported {request["images"]} into {ns}', flush=True)
        conn.sendall(json.dumps({'version': 'v1.7.22-lab-stand-in', 'images': images(ns)}).encode())
`;

const STAND_IN_CTR = `#!/usr/bin/env python3
# Lab stand-in for ctr (wire-install tests): talks to the stand-in containerd over its socket.
import hashlib, json, socket, sys, tarfile
ns, address, rest, args, i = 'default', '/run/containerd/containerd.sock', [], sys.argv[1:], 0
while i < len(args):
    a = args[i]
    if a.startswith(('-n=', '--namespace=')): ns = a.split('=', 1)[1]
    elif a in ('-n', '--namespace'): i += 1; ns = args[i]
    elif a.startswith(('-a=', '--address=')): address = a.split('=', 1)[1]
    elif a in ('-a', '--address'): i += 1; address = args[i]
    else: rest.append(a)
    i += 1

def call(request):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.connect(address)
    except OSError as e:
        sys.exit(f'ctr: failed to dial "{address}": {e} (lab stand-in)')
    s.sendall(json.dumps(dict(request, ns=ns)).encode())
    s.shutdown(socket.SHUT_WR)
    data = b''
    while chunk := s.recv(65536):
        data += chunk
    return json.loads(data)

if rest[:1] == ['version']:
    reply = call({'cmd': 'version'})
    print(f"Client:\\n  Version:  v1.7.22-lab-stand-in\\n\\nServer:\\n  Version:  {reply['version']}")
elif rest[:2] in (['images', 'ls'], ['image', 'ls'], ['images', 'list']):
    for name in call({'cmd': 'ls'})['images']:
        print(name if '-q' in rest else f'{name}\\tlab-stand-in')
elif rest[:2] in (['images', 'import'], ['image', 'import']) and len(rest) > 2:
    call({'cmd': 'version'})
    source = sys.stdin.buffer if rest[-1] == '-' else open(rest[-1], 'rb')
    manifest = None
    try:
        with tarfile.open(fileobj=source, mode='r|*') as archive:
            for member in archive:
                if member.name.lstrip('./') == 'manifest.json':
                    raw = archive.extractfile(member).read()
                    manifest = json.loads(raw)
    except (tarfile.TarError, EOFError, OSError, ValueError) as e:
        sys.exit(f'ctr: failed to import: {e} (lab stand-in)')
    if not manifest:
        sys.exit('ctr: unrecognized image format: no docker-archive manifest.json (lab stand-in)')
    names = [tag for entry in manifest for tag in entry.get('RepoTags') or []]
    call({'cmd': 'import', 'images': names})
    digest = hashlib.sha256(raw).hexdigest()
    for name in names:
        print(f'unpacking {name} (sha256:{digest})...done')
else:
    sys.exit(f'ctr (lab stand-in): not emulated: {" ".join(rest)}')
`;

const script = (name: string, body: string) =>
  `#!/bin/sh\n# Lab stand-in for ${name} (wire-install tests): the real one cannot run in the lab's containers.\n${body}\n`;

const STAND_IN_KUBELET = script(
  'kubelet',
  [
    'case "$1" in --version) echo "Kubernetes v1.29.10 (lab stand-in)"; exit 0;; esac',
    // As the real kubelet: without kubeadm's configuration it exits, and systemd restarts it.
    'if [ ! -f /var/lib/kubelet/config.yaml ]; then echo "kubelet (lab stand-in): /var/lib/kubelet/config.yaml: no such file" >&2; exit 1; fi',
    'exec sleep infinity',
  ].join('\n'),
);

const version = (name: string, text: string) =>
  script(name, `echo "${text} (lab stand-in)"; [ "$1" = version ] || [ "$1" = --version ] || [ "$1" = -v ]`);

/**
 * Same content, same bytes: an image rebuilt into a new bundle has the checksum of the old
 * one, as Wire's tarball of an unchanged image (the records are keyed by checksum).
 */
const REPRODUCIBLE = ['--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner'];

/** A file made in a temporary folder, for tarballs. */
function put(root: string, path: string, content: string | Buffer, mode = 0o755): void {
  const target = join(root, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  chmodSync(target, mode);
}

function tarball(entries: Record<string, string>, gzip: boolean): string {
  const work = mkdtempSync(join(tmpdir(), 'wil-stand-in-'));
  const content = join(work, 'content');
  for (const [path, body] of Object.entries(entries)) put(content, path, body);
  const out = join(work, gzip ? 'out.tar.gz' : 'out.tar');
  execFileSync('tar', [
    ...REPRODUCIBLE,
    ...(gzip ? ['--use-compress-program=gzip -n', '-cf'] : ['-cf']),
    out,
    '-C',
    content,
    '.',
  ]);
  return out;
}

/** Wire's tarball names are the image reference with / and : made filename-safe. */
export const imageTarName = (image: string) => `${image.replace(/[/:@]/g, '_')}.tar`;

/** A real docker-archive image tar: manifest.json naming `image`, a config and one layer. */
export function imageTar(image: string): string {
  const layer = tarball({ [`etc/${imageTarName(image)}.txt`]: `layer of ${image}\n` }, false);
  const work = mkdtempSync(join(tmpdir(), 'wil-image-'));
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Labels: { image } } });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  put(work, configName, config, 0o644);
  execFileSync('cp', [layer, join(work, 'layer.tar')]);
  put(
    work,
    'manifest.json',
    JSON.stringify([{ Config: configName, RepoTags: [image], Layers: ['layer.tar'] }]),
    0o644,
  );
  const out = join(mkdtempSync(join(tmpdir(), 'wil-image-tar-')), imageTarName(image));
  execFileSync('tar', [...REPRODUCIBLE, '-cf', out, '-C', work, 'manifest.json', configName, 'layer.tar']);
  return out;
}

export interface StandInImages {
  system: string[];
  helm: string[];
}

/** The stand-in binaries and image tarballs, as files for standInBundle(). */
export function kubernetesNodeStandIns(images: StandInImages): StandInFiles {
  const containerdTar = tarball(
    {
      'bin/containerd': STAND_IN_CONTAINERD,
      'bin/ctr': STAND_IN_CTR,
      'bin/containerd-shim-runc-v2': version('containerd-shim-runc-v2', 'containerd-shim-runc-v2 v1.7.22'),
    },
    true,
  );
  const crictlTar = tarball({ crictl: version('crictl', 'crictl version v1.29.0') }, true);
  const cniTar = tarball(
    Object.fromEntries(
      ['bridge', 'host-local', 'loopback', 'portmap'].map((name) => [
        name,
        script(`the ${name} CNI plugin`, 'echo \'{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}\''),
      ]),
    ),
    true,
  );
  const files: StandInFiles = {
    [BUNDLE_BINARIES.containerd]: { from: containerdTar },
    [BUNDLE_BINARIES.runc]: { content: version('runc', 'runc version 1.1.14'), mode: 0o755 },
    [BUNDLE_BINARIES.kubeadm]: { content: version('kubeadm', 'kubeadm version v1.29.10'), mode: 0o755 },
    [BUNDLE_BINARIES.kubelet]: { content: STAND_IN_KUBELET, mode: 0o755 },
    [BUNDLE_BINARIES.kubectl]: { content: version('kubectl', 'Client Version: v1.29.10'), mode: 0o755 },
    [BUNDLE_BINARIES.crictl]: { from: crictlTar },
    [BUNDLE_BINARIES.cniPlugins]: { from: cniTar },
  };
  for (const [folder, list] of [
    ['containers-system', images.system],
    ['containers-helm', images.helm],
  ] as const) {
    files[`${folder}/index.txt`] = { content: list.map((image) => `${imageTarName(image)}\n`).join('') };
    for (const image of list) files[`${folder}/${imageTarName(image)}`] = { from: imageTar(image) };
  }
  return files;
}
