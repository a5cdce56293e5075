import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUNDLE_BINARIES } from '../../src/bundle/binaries.js';
import type { StandInFiles } from './bundle.js';

/**
 * A LAB STAND-IN for Wire's elasticsearch-oss-6.8.23.deb, built here with dpkg-deb: a package
 * named and versioned like the real one, with its paths (/usr/share/elasticsearch/bin/
 * elasticsearch, /etc/elasticsearch/, elasticsearch.service, /etc/default/elasticsearch, an
 * elasticsearch user made in postinst), whose "server" is stand-ins/elasticsearch.py: a python3
 * script that reads the elasticsearch.yml wire-install writes and answers the health API by
 * asking the other nodes. So the production steps (download, dpkg, config, systemd, health)
 * run unchanged against it.
 */
const SERVER = fileURLToPath(new URL('./stand-ins/elasticsearch.py', import.meta.url));

const CONTROL = `Package: elasticsearch-oss
Version: 6.8.23
Architecture: all
Maintainer: wire-install lab <lab@wire-install.invalid>
Depends: python3
Section: web
Priority: optional
Description: LAB STAND-IN for Elasticsearch OSS 6.8.23 (wire-install tests), not Elasticsearch
 A python3 script at the real package's paths that reads elasticsearch.yml and answers
 /, /_cluster/health and /_cat/nodes by asking the other nodes.
`;

// As the real package: a system user and group, directories owned by them, nothing started.
const POSTINST = `#!/bin/sh
set -e
getent group elasticsearch >/dev/null || groupadd --system elasticsearch
getent passwd elasticsearch >/dev/null || useradd --system --gid elasticsearch --home-dir /nonexistent --no-create-home --shell /bin/false elasticsearch
mkdir -p /var/lib/elasticsearch /var/log/elasticsearch
chown elasticsearch:elasticsearch /var/lib/elasticsearch /var/log/elasticsearch
chown -R root:elasticsearch /etc/elasticsearch
chmod 2750 /etc/elasticsearch
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
`;

const POSTRM = `#!/bin/sh
set -e
if [ "$1" = purge ]; then
  rm -rf /var/lib/elasticsearch /var/log/elasticsearch /etc/elasticsearch
  userdel elasticsearch 2>/dev/null || true
  groupdel elasticsearch 2>/dev/null || true
fi
`;

// The real package's unit, trimmed to what the stand-in needs.
const UNIT = `[Unit]
Description=Elasticsearch (lab stand-in)
Wants=network-online.target
After=network-online.target

[Service]
RuntimeDirectory=elasticsearch
Environment=ES_HOME=/usr/share/elasticsearch
Environment=ES_PATH_CONF=/etc/elasticsearch
Environment=PID_DIR=/var/run/elasticsearch
EnvironmentFile=-/etc/default/elasticsearch
WorkingDirectory=/usr/share/elasticsearch
User=elasticsearch
Group=elasticsearch
ExecStart=/usr/share/elasticsearch/bin/elasticsearch -p \${PID_DIR}/elasticsearch.pid --quiet
LimitNOFILE=65535
TimeoutStopSec=0
KillSignal=SIGTERM
SuccessExitStatus=143

[Install]
WantedBy=multi-user.target
`;

export function standInElasticsearchDeb(): string {
  const root = mkdtempSync(join(tmpdir(), 'wil-es-deb-'));
  const tree = join(root, 'tree');
  const put = (path: string, content: string, mode = 0o644) => {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), content);
    chmodSync(join(tree, path), mode);
  };
  put('DEBIAN/control', CONTROL);
  put('DEBIAN/postinst', POSTINST, 0o755);
  put('DEBIAN/postrm', POSTRM, 0o755);
  put(
    'DEBIAN/conffiles',
    '/etc/elasticsearch/elasticsearch.yml\n/etc/elasticsearch/jvm.options\n/etc/default/elasticsearch\n',
  );
  put(
    'etc/elasticsearch/elasticsearch.yml',
    '# the package default (lab stand-in)\nnetwork.host: 127.0.0.1\n',
    0o660,
  );
  put('etc/elasticsearch/jvm.options', '-Xms1g\n-Xmx1g\n', 0o660);
  put('etc/default/elasticsearch', 'ES_PATH_CONF=/etc/elasticsearch\n');
  put('usr/lib/systemd/system/elasticsearch.service', UNIT);
  mkdirSync(join(tree, 'usr/share/elasticsearch/bin'), { recursive: true });
  copyFileSync(SERVER, join(tree, 'usr/share/elasticsearch/bin/elasticsearch'));
  chmodSync(join(tree, 'usr/share/elasticsearch/bin/elasticsearch'), 0o755);
  const deb = join(root, 'elasticsearch-oss-6.8.23.deb');
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', tree, deb], { stdio: 'pipe' });
  return deb;
}

/** The stand-in .deb where the bundle's binaries.tar has the real one. */
export function standInElasticsearchFiles(): StandInFiles {
  return { [BUNDLE_BINARIES.elasticsearchDeb]: { from: standInElasticsearchDeb() } };
}
