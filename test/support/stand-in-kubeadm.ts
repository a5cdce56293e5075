import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * LAB STAND-IN for kubeadm (the lab's containers cannot run a kubelet, etcd or an API server).
 * It sits where the real binary goes (/usr/local/bin/kubeadm, shipped as binaries/kubeadm in
 * the stand-in bundle) and does at the process boundary what wire-install relies on:
 *
 * - `init --config F`: refuses a config file others may read, checks the fields the template
 *   sets (kinds, controlPlaneEndpoint that resolves, podSubnet/serviceSubnet that do not
 *   overlap, cgroupDriver systemd, node name = hostname, node-ip = an address of this host,
 *   token and certificate-key formats, --upload-certs), refuses a second init (as kubeadm's
 *   preflight does), writes /etc/kubernetes/admin.conf with the real CA certificate made by
 *   openssl on the admin machine (the lab image has no openssl), and starts a tiny stand-in
 *   API on :6443 that knows the token, the certificate key and the nodes that joined.
 * - `join --config F`: fetches the CA from that API through the controlPlaneEndpoint (so the
 *   name must resolve on the node), refuses a CA pin that does not match it, then registers
 *   with the token (and, for a control plane, the certificate key), which the API refuses when
 *   they do not match the first node's; writes /etc/kubernetes/kubelet.conf.
 * - Join credentials expire as kubeadm's do: the bootstrap token after the config's ttl (24 h),
 *   the uploaded control-plane certificates 2 h after the upload (kubeadm keeps them in a Secret
 *   owned by a 2 h "proxy" token). An expired token is gone from `token list`, and the API
 *   refuses a join with it. `token create --config F` creates the config's token again (never one
 *   given on the command line; refused while a token with its id lives, as kubeadm does),
 *   `token delete ID` deletes it, and `init phase upload-certs --upload-certs --config F` uploads
 *   the certificates again; `token list -o jsonpath=T` prints the live tokens through T.
 * - `kubeadm stand-in-clock SECONDS` moves the stand-in cluster's clock forward (every expiry
 *   comes SECONDS closer); the host's own clock is never touched.
 * - `reset -f`: removes the node's kubelet.conf, admin.conf and certificates (what makes it a
 *   node here); the API's `DELETE /nodes/NAME` (kubectl delete node, through the stand-in
 *   kubectl) takes it out of the node list.
 * - Installed as `kubectl` (the same file under that name), it answers
 *   `kubectl --kubeconfig F get nodes -o jsonpath={.items[*].metadata.name}` from the API.
 * Every call is appended to /var/lib/kubeadm-stand-in/calls.log.
 */
export const STAND_IN_KUBEADM = String.raw`#!/usr/bin/env python3
# LAB STAND-IN for kubeadm, written by wire-install's tests (test/support/stand-in-kubeadm.ts).
# Not Kubernetes: it validates kubeadm configuration files and fakes init/join at the process
# boundary, with a tiny stand-in API server on :6443 (see the TypeScript file for what it does).
import base64, hashlib, http.server, ipaddress, json, os, re, shutil, socket, subprocess, sys, time, urllib.request

STATE = '/var/lib/kubeadm-stand-in'
CA_SOURCE = '/usr/local/lib/kubeadm-stand-in/ca.crt'
PORT = 6443
CERTS_PROXY = 'Proxy for managing TTL for the kubeadm-certs secret'
CERTS_TTL = 2 * 3600

def fail(message):
    print('kubeadm (lab stand-in): ' + message, file=sys.stderr)
    sys.exit(1)

def log(line):
    os.makedirs(STATE, exist_ok=True)
    with open(STATE + '/calls.log', 'a') as f:
        f.write(line + '\n')

def read_config(args):
    if '--config' not in args:
        fail('needs --config <file>')
    path = args[args.index('--config') + 1]
    mode = os.stat(path).st_mode & 0o777
    if mode & 0o077:
        fail('%s has mode %o: it holds the bootstrap token, it must be 0600' % (path, mode))
    return open(path).read()

def field(text, key):
    match = re.search(r'^[ \t-]*' + re.escape(key) + r':[ \t]*"?([^"\n]*?)"?[ \t]*$', text, re.M)
    return match.group(1) if match else None

def need(text, key, pattern, what):
    value = field(text, key)
    if value is None or not re.fullmatch(pattern, value):
        fail('%s: %r is not %s' % (key, value, what))
    return value

def own_addresses():
    out = subprocess.run(['hostname', '-I'], capture_output=True, text=True).stdout
    return out.split()

def check_node(text):
    name = need(text, 'name', r'[a-z0-9.-]+', 'a node name')
    if name != socket.gethostname():
        fail('nodeRegistration.name %s is not this host (%s)' % (name, socket.gethostname()))
    ip = need(text, 'node-ip', r'[0-9.]+', 'an IPv4 address')
    if ip not in own_addresses():
        fail('node-ip %s is not an address of this host (%s)' % (ip, ' '.join(own_addresses())))
    if field(text, 'criSocket') != 'unix:///run/containerd/containerd.sock':
        fail('criSocket must be containerd')
    return name, ip

def resolve(endpoint):
    host, _, port = endpoint.rpartition(':')
    try:
        return socket.gethostbyname(host), int(port)
    except OSError:
        fail('controlPlaneEndpoint %s does not resolve on this host' % endpoint)

def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()

def der(data, pos):
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7f
        length = int.from_bytes(data[pos:pos + count], 'big')
        pos += count
    return tag, pos, pos + length

def ca_pin(pem):
    body = base64.b64decode(''.join(l for l in pem.splitlines() if l and not l.startswith('-----')))
    _, cert, _ = der(body, 0)
    _, pos, end = der(body, cert)
    fields = []
    while pos < end:
        tag, _, next_pos = der(body, pos)
        fields.append((tag, pos, next_pos))
        pos = next_pos
    if fields[0][0] == 0xa0:
        fields = fields[1:]
    _, start, stop = fields[5]
    return 'sha256:' + hashlib.sha256(body[start:stop]).hexdigest()

def kubeconfig(ca, server, user):
    b64 = lambda text: base64.b64encode(text.encode()).decode()
    return '\n'.join([
        'apiVersion: v1', 'kind: Config',
        'clusters:', '- cluster:', '    certificate-authority-data: ' + b64(ca), '    server: https://' + server,
        '  name: kubernetes',
        'contexts:', '- context:', '    cluster: kubernetes', '    user: ' + user, '  name: ' + user + '@kubernetes',
        'current-context: ' + user + '@kubernetes',
        'users:', '- name: ' + user, '  user:',
        '    client-certificate-data: ' + b64('lab stand-in client certificate'),
        '    client-key-data: ' + b64(os.urandom(24).hex()), '',
    ])

def write_private(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        f.write(text)

def load_cluster():
    with open(STATE + '/cluster.json') as f:
        return json.load(f)

def save_cluster(cluster):
    with open(STATE + '/cluster.json', 'w') as f:
        json.dump(cluster, f)

def live_tokens(cluster):
    # Kubernetes' token cleaner deletes an expired bootstrap token's Secret.
    return [t for t in cluster['tokens'] if t['expires'] > time.time()]

def ttl_seconds(text):
    value = field(text, 'ttl') or '24h0m0s'
    match = re.fullmatch(r'(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?', value)
    if not match or not value:
        fail('ttl %r is not a duration' % value)
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds

def put_token(cluster, token, ttl, description):
    cluster['tokens'] = [t for t in cluster['tokens'] if t['token'] != token]
    cluster['tokens'].append({'token': token, 'expires': time.time() + ttl, 'description': description})

def init(args):
    text = read_config(args)
    log('init ' + ' '.join(a for a in args if a.startswith('--')))
    if os.path.exists('/etc/kubernetes/admin.conf'):
        fail('[preflight] /etc/kubernetes/admin.conf already exists: this node was initialised')
    for kind in ('InitConfiguration', 'ClusterConfiguration', 'KubeletConfiguration'):
        if 'kind: ' + kind not in text:
            fail('no ' + kind + ' in the config')
    if '--upload-certs' not in args:
        fail('the other control planes need --upload-certs')
    name, ip = check_node(text)
    token = need(text, 'token', r'[a-z0-9]{6}\.[a-z0-9]{16}', 'a bootstrap token')
    key = need(text, 'certificateKey', r'[0-9a-f]{64}', 'a 64-hex certificate key')
    endpoint = need(text, 'controlPlaneEndpoint', r'[A-Za-z0-9.-]+:[0-9]+', 'host:port')
    resolve(endpoint)
    pod = ipaddress.ip_network(need(text, 'podSubnet', r'[0-9./]+', 'a CIDR'))
    svc = ipaddress.ip_network(need(text, 'serviceSubnet', r'[0-9./]+', 'a CIDR'))
    if pod.overlaps(svc):
        fail('podSubnet %s overlaps serviceSubnet %s' % (pod, svc))
    if field(text, 'cgroupDriver') != 'systemd':
        fail('the kubelet must use the systemd cgroup driver')
    if need(text, 'kubernetesVersion', r'v1\.29\.[0-9]+', 'Kubernetes 1.29') is None:
        fail('no version')
    ca = open(CA_SOURCE).read()
    os.makedirs('/etc/kubernetes/pki', exist_ok=True)
    write_private('/etc/kubernetes/pki/ca.crt', ca)
    os.makedirs(STATE, exist_ok=True)
    cluster = {'tokens': [], 'certificateKey': sha(key), 'ca': ca,
               'nodes': [{'name': name, 'ip': ip, 'controlPlane': True}],
               'members': [etcd_member(name, ip)]}
    put_token(cluster, token, ttl_seconds(text), field(text, 'description') or '')
    put_token(cluster, 'cproxy.' + os.urandom(8).hex(), CERTS_TTL, CERTS_PROXY)
    save_cluster(cluster)
    subprocess.run(['systemctl', 'stop', 'kube-apiserver-stand-in'], capture_output=True)
    subprocess.run(['systemctl', 'reset-failed', 'kube-apiserver-stand-in'], capture_output=True)
    # In the kubepods slice, where the real API server runs as a static pod, so the host's
    # port check sees :6443 held by Kubernetes itself.
    subprocess.run(['systemd-run', '--slice=kubepods', '--unit=kube-apiserver-stand-in', sys.executable, os.path.abspath(__file__), 'serve'], check=True)
    write_private('/etc/kubernetes/kubelet.conf', kubeconfig(ca, endpoint, 'system:node:' + name))
    write_private('/etc/kubernetes/admin.conf', kubeconfig(ca, endpoint, 'kubernetes-admin'))
    print('Your Kubernetes control-plane has initialized successfully! (lab stand-in)')
    if '--skip-token-print' not in args:
        print('kubeadm join %s --token %s' % (endpoint, token))
    if '--skip-certificate-key-print' not in args:
        print('certificate key: ' + key)

def token(args):
    if args[:1] == ['create']:
        text = read_config(args)
        if [a for a in args[1:] if not a.startswith('--') and a != args[args.index('--config') + 1]]:
            fail('token create: give the token in --config, never on the command line')
        log('token create --config')
        value = need(text, 'token', r'[a-z0-9]{6}\.[a-z0-9]{16}', 'a bootstrap token')
        cluster = load_cluster()
        if [t for t in live_tokens(cluster) if t['token'].split('.')[0] == value.split('.')[0]]:
            fail('a token with id %r already exists' % value.split('.')[0])
        put_token(cluster, value, ttl_seconds(text), field(text, 'description') or '')
        save_cluster(cluster)
        print(value)  # as kubeadm does: the caller must not show it
    elif args[:1] == ['delete']:
        ids = [a.split('.')[0] for a in args[1:]]
        log('token delete ' + ' '.join(ids))
        cluster = load_cluster()
        cluster['tokens'] = [t for t in cluster['tokens'] if t['token'].split('.')[0] not in ids]
        save_cluster(cluster)
    elif args[:1] == ['list']:
        template = next((a[len('-o=jsonpath='):] for a in args if a.startswith('-o=jsonpath=')), None)
        if template is None and '-o' in args:
            option = args[args.index('-o') + 1]
            template = option[len('jsonpath='):] if option.startswith('jsonpath=') else None
        if template is None:
            fail('token list: the stand-in prints only -o jsonpath=<template>')
        log('token list')
        for t in live_tokens(load_cluster()):
            values = {'token': t['token'], 'description': t['description'],
                      'expires': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(t['expires']))}
            out = re.sub(r'\{\.(\w+)\}', lambda m: values.get(m.group(1), ''), template)
            out = out.replace('{"\\t"}', '\t').replace('{"\\n"}', '\n').replace('{" "}', ' ')
            sys.stdout.write(out)
    else:
        fail('token: unknown subcommand %r' % args[:1])

def upload_certs(args):
    if args[:2] != ['phase', 'upload-certs'] or '--upload-certs' not in args:
        fail('init phase: only "phase upload-certs --upload-certs --config F"')
    text = read_config(args)
    log('init phase upload-certs')
    cluster = load_cluster()
    if sha(need(text, 'certificateKey', r'[0-9a-f]{64}', 'a 64-hex certificate key')) != cluster['certificateKey']:
        fail('certificateKey differs from the one the cluster was initialised with')
    cluster['tokens'] = [t for t in cluster['tokens'] if t['description'] != CERTS_PROXY]
    put_token(cluster, 'cproxy.' + os.urandom(8).hex(), CERTS_TTL, CERTS_PROXY)
    save_cluster(cluster)
    print('[upload-certs] Using certificate key:')
    print(need(text, 'certificateKey', r'[0-9a-f]{64}', 'a 64-hex certificate key'))

def advance_clock(args):
    seconds = int(args[0])
    log('stand-in-clock %d' % seconds)
    cluster = load_cluster()
    for t in cluster['tokens']:
        t['expires'] -= seconds
    save_cluster(cluster)

def etcd_member(name, ip):
    # etcd's member IDs are uint64: most are above 2^53, where a JSON number loses precision in JavaScript.
    return {'ID': int.from_bytes(os.urandom(8), 'big') | (1 << 62), 'name': name,
            'peerURLs': ['https://%s:2380' % ip], 'clientURLs': ['https://%s:2379' % ip]}

def kubectl(args):
    if args[2:] != ['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}'] or args[:1] != ['--kubeconfig']:
        fail('kubectl (lab stand-in on a node): only "--kubeconfig F get nodes -o jsonpath={.items[*].metadata.name}"')
    server = re.search(r'server:\s*https://(\S+)', open(args[1]).read()).group(1)
    address, port = resolve(server)
    nodes = json.load(urllib.request.urlopen('http://%s:%d/nodes' % (address, port), timeout=10))
    print(' '.join(n['name'] for n in nodes))

def reset(args):
    # kubeadm reset asks at a terminal unless forced; wire-install never has one there.
    if '-f' not in args and '--force' not in args:
        fail('reset: no terminal to confirm at; use -f')
    log('reset ' + ' '.join(args))
    # On a control plane, kubeadm reset takes this node's member out of etcd first.
    if os.path.exists('/etc/kubernetes/admin.conf'):
        server = re.search(r'server:\s*https://(\S+)', open('/etc/kubernetes/admin.conf').read()).group(1)
        address, port = resolve(server)
        try:
            urllib.request.urlopen(urllib.request.Request('http://%s:%d/etcd/members/by-name/%s' % (address, port, socket.gethostname()), method='DELETE'), timeout=10)
        except urllib.error.HTTPError:
            pass
    for path in ('/etc/kubernetes/kubelet.conf', '/etc/kubernetes/admin.conf'):
        if os.path.exists(path):
            os.remove(path)
    shutil.rmtree('/etc/kubernetes/pki', ignore_errors=True)
    print('[reset] (lab stand-in) removed the kubelet configuration and the certificates of this node')

def join(args):
    text = read_config(args)
    log('join ' + field(text, 'name'))
    if os.path.exists('/etc/kubernetes/kubelet.conf'):
        fail('[preflight] /etc/kubernetes/kubelet.conf already exists: this node joined')
    if 'kind: JoinConfiguration' not in text:
        fail('no JoinConfiguration in the config')
    name, ip = check_node(text)
    endpoint = need(text, 'apiServerEndpoint', r'[A-Za-z0-9.-]+:[0-9]+', 'host:port')
    address, port = resolve(endpoint)
    token = need(text, 'token', r'[a-z0-9]{6}\.[a-z0-9]{16}', 'a bootstrap token')
    match = re.search(r'caCertHashes:\s*\n\s*-\s*"?(sha256:[0-9a-f]{64})"?', text)
    if not match:
        fail('discovery.bootstrapToken.caCertHashes has no sha256 pin')
    pin = match.group(1)
    control = 'controlPlane:' in text
    key = need(text, 'certificateKey', r'[0-9a-f]{64}', 'a 64-hex certificate key') if control else ''
    base = 'http://%s:%d' % (address, port)
    ca = json.load(urllib.request.urlopen(base + '/cluster-info', timeout=10))['ca']
    if ca_pin(ca) != pin:
        fail('cluster CA pin %s does not match the caCertHashes %s: refusing the API server' % (ca_pin(ca), pin))
    body = json.dumps({'name': name, 'ip': ip, 'controlPlane': control, 'token': sha(token),
                       'certificateKey': sha(key) if control else None}).encode()
    try:
        urllib.request.urlopen(urllib.request.Request(base + '/join', data=body, method='POST'), timeout=10)
    except urllib.error.HTTPError as error:
        fail('the API server refused the join: ' + error.read().decode())
    os.makedirs('/etc/kubernetes/pki', exist_ok=True)
    write_private('/etc/kubernetes/pki/ca.crt', ca)
    write_private('/etc/kubernetes/kubelet.conf', kubeconfig(ca, endpoint, 'system:node:' + name))
    if control:
        write_private('/etc/kubernetes/admin.conf', kubeconfig(ca, endpoint, 'kubernetes-admin'))
    print('This node has joined the cluster (lab stand-in)')

class Api(http.server.BaseHTTPRequestHandler):
    def cluster(self):
        with open(STATE + '/cluster.json') as f:
            return json.load(f)
    def reply(self, code, payload):
        data = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        cluster = self.cluster()
        if self.path == '/cluster-info':
            return self.reply(200, {'ca': cluster['ca']})
        if self.path == '/nodes':
            return self.reply(200, cluster['nodes'])
        if self.path == '/etcd/members':
            return self.reply(200, cluster.get('members', []))
        self.reply(404, {'error': 'not found'})
    def do_DELETE(self):
        cluster = self.cluster()
        if self.path.startswith('/etcd/members/'):
            # etcdctl member remove HEX-ID, or kubeadm reset's own member (by-name/NAME).
            key = self.path[len('/etcd/members/'):]
            members = cluster.get('members', [])
            left = [m for m in members if not (key == 'by-name/' + m['name'] or key == '%x' % m['ID'])]
            if len(left) == len(members):
                return self.reply(404, {'error': 'etcdserver: member not found'})
            cluster['members'] = left
            with open(STATE + '/cluster.json', 'w') as f:
                json.dump(cluster, f)
            return self.reply(200, {'removed': key})
        name = self.path[len('/nodes/'):] if self.path.startswith('/nodes/') else None
        if not name or name not in [n['name'] for n in cluster['nodes']]:
            return self.reply(404, {'error': 'nodes "%s" not found' % name})
        cluster['nodes'] = [n for n in cluster['nodes'] if n['name'] != name]
        with open(STATE + '/cluster.json', 'w') as f:
            json.dump(cluster, f)
        self.reply(200, {'deleted': name})
    def do_POST(self):
        cluster = self.cluster()
        request = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
        live = live_tokens(cluster)
        if request['token'] not in [sha(t['token']) for t in live]:
            return self.reply(403, {'error': 'bootstrap token not valid (unknown or expired)'})
        if request['controlPlane'] and not [t for t in live if t['description'] == CERTS_PROXY]:
            return self.reply(403, {'error': 'secrets "kubeadm-certs" not found: the uploaded certificates expired (2 h)'})
        if request['controlPlane'] and request['certificateKey'] != cluster['certificateKey']:
            return self.reply(403, {'error': 'certificate key does not decrypt the uploaded certificates'})
        cluster['nodes'] = [n for n in cluster['nodes'] if n['name'] != request['name']]
        cluster['nodes'].append({'name': request['name'], 'ip': request['ip'], 'controlPlane': request['controlPlane']})
        if request['controlPlane']:
            members = [m for m in cluster.get('members', []) if m['name'] != request['name']]
            cluster['members'] = members + [etcd_member(request['name'], request['ip'])]
        with open(STATE + '/cluster.json', 'w') as f:
            json.dump(cluster, f)
        self.reply(200, {'joined': request['name']})

def serve():
    http.server.ThreadingHTTPServer(('0.0.0.0', PORT), Api).serve_forever()

if __name__ == '__main__':
    command, rest = (sys.argv[1] if len(sys.argv) > 1 else ''), sys.argv[2:]
    if os.path.basename(sys.argv[0]) == 'kubectl':
        log('kubectl ' + ' '.join(sys.argv[3:]))
        kubectl(sys.argv[1:])
    elif command == 'init' and rest[:1] == ['phase']:
        upload_certs(rest)
    elif command == 'init':
        init(rest)
    elif command == 'token':
        token(rest)
    elif command == 'stand-in-clock':
        advance_clock(rest)
    elif command == 'join':
        join(rest)
    elif command == 'reset':
        reset(rest)
    elif command == 'serve':
        serve()
    elif command == 'version':
        print('kubeadm version: v1.29.10 (lab stand-in)')
    else:
        fail('unknown command ' + command)
`;

/** Where the stand-in finds the CA it installs (made on the admin machine by openssl). */
export const STAND_IN_CA_PATH = '/usr/local/lib/kubeadm-stand-in/ca.crt';

/** A real self-signed CA certificate (openssl), as kubeadm makes for a cluster. */
export function openSslCa(): { cert: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wil-kube-ca-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'ca.key'),
      '-subj',
      '/CN=kubernetes',
      '-days',
      '3650',
      '-out',
      join(dir, 'ca.crt'),
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(join(dir, 'ca.crt'), 'utf8'), dir };
}
