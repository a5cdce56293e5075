#!/usr/bin/env bash
# Everything a fresh machine needs before wire-install builds and its tests run:
# Debian packages the tests use (tmux drives the wizard in a real terminal, openssl makes
# real test certificates, dnsmasq answers the DNS checks' tests, debootstrap/systemd-nspawn/ssh run the lab of real hosts), the npm
# dependencies, and the build. Safe to re-run: each part
# is skipped when already in place.
#   usage: scripts/setup.sh [--no-apt]
set -euo pipefail
cd "$(dirname "$0")/.."

want_apt=1
[ "${1:-}" = "--no-apt" ] && want_apt=0

if [ "$want_apt" = 1 ]; then
  missing=()
  command -v tmux >/dev/null || missing+=(tmux)
  # The completion test loads `wire-install completion zsh` in a real zsh.
  command -v zsh >/dev/null || missing+=(zsh)
  command -v openssl >/dev/null || missing+=(openssl)
  # The lab (test/lab/lab.sh): real Debian hosts booted with systemd-nspawn, reached over SSH.
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
  command -v ssh >/dev/null || missing+=(openssh-client)
  command -v ip >/dev/null || missing+=(iproute2)
  # The doctor lab tests plant network faults (a host gone silent) with nftables in a host's netns.
  command -v nft >/dev/null || missing+=(nftables)
  # A real DNS server for the DNS checks' tests, on loopback only.
  command -v dnsmasq >/dev/null || missing+=(dnsmasq-base)
  # The stand-ins and scripts/fetch-helm.sh are python3 scripts.
  command -v python3 >/dev/null || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "setup: need the Debian packages: ${missing[*]} (run as root, or install them)" >&2
      exit 1
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# Install from the lock file when node_modules is missing or older than it. Not `npm ci`:
# this machine's npm writes lock files without download addresses
# (omit-lockfile-registry-resolved), and then leaves out the other platforms' optional
# packages (biome, rollup), which `npm ci` refuses as "out of sync". `npm install` installs
# the same locked versions and leaves package-lock.json unchanged.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm install (from package-lock.json)"
  npm install --no-audit --no-fund --loglevel=error
fi

# The real helm binary the chart rendering tests use (helm template/lint, no cluster), kept
# in a cache outside the repository; the tests find it there or through WIRE_INSTALL_HELM.
scripts/fetch-helm.sh >/dev/null

npx tsc -p tsconfig.build.json
