#!/usr/bin/env bash
# The test lab: real Debian hosts (systemd as PID 1, sshd, apt) on this machine, each in its own
# network namespace on a bridge, booted with systemd-nspawn over an overlay of one cached base
# image. The engine's tests (issue 3 onwards) connect to these hosts over real SSH.
#
#   test/lab/lab.sh image          build the base image once (cached in $LAB_CACHE)
#   test/lab/lab.sh up [N]         start N hosts (default 3), removing any previous lab first
#   test/lab/lab.sh status         list the hosts and whether sshd answers
#   test/lab/lab.sh down           stop the hosts (by their recorded pids) and remove the lab
#   test/lab/lab.sh stop I         shut host I down (its disk is kept); start I boots it again
#   test/lab/lab.sh poweroff I     switch host I off at once, as pulling the plug does; start I boots it
#   test/lab/lab.sh rebuild I      reinstall host I: a fresh disk from the base image, a new machine-id
#                                  and SSH host key (known_hosts updated), the same name and address
#   test/lab/lab.sh reset I...     put hosts back as booted: switched off, a fresh disk from the base
#                                  image with their own identity (name, machine-id, host key), booted
#   test/lab/lab.sh add            boot one more host into the running lab (prints its name)
#   test/lab/lab.sh remove I       stop host I and take it out of the lab (the last one added)
#
# Needs root, debootstrap, systemd-container and iproute2 (scripts/setup.sh --lab installs them).
# Traffic stays on the bridge 172.31.0.0/24 and the hosts' own namespaces. Facts behind the
# choices (costs, the bridge MAC, inotify limits): shared LAB.md.
set -euo pipefail

LAB_CACHE=${LAB_CACHE:-/var/cache/wire-install-lab}
LAB_RUN=${LAB_RUN:-/run/wire-install-lab}
BRIDGE=wilbr0
BRIDGE_MAC=02:00:00:31:00:01
NET_PREFIX=172.31.0
BRIDGE_ADDR=$NET_PREFIX.1
PACKAGES=openssh-server,python3,iproute2,sudo,systemd,systemd-sysv,dbus

log() { printf 'lab: %s\n' "$*" >&2; }

# The machine's own Debian mirror, read at run time: no mirror host is written into the repo.
mirror() {
  grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1
}

build_image() {
  local base=$LAB_CACHE/base
  if [ -x "$base/usr/sbin/sshd" ] && [ -x "$base/lib/systemd/systemd" ]; then return; fi
  mkdir -p "$LAB_CACHE"
  rm -rf "$base.tmp"
  log "building the base image (debootstrap, about 45 s)"
  debootstrap --variant=minbase --include="$PACKAGES" bookworm "$base.tmp" "$(mirror)" >"$LAB_CACHE/debootstrap.log" 2>&1 ||
    { log "debootstrap failed, see $LAB_CACHE/debootstrap.log"; exit 1; }
  chroot "$base.tmp" apt-get clean
  # Hosts get their identity at boot time (up); the image carries none.
  rm -f "$base.tmp"/etc/ssh/ssh_host_* "$base.tmp/etc/machine-id"
  # Offline hosts: no Debian mirror is configured, only the lab repository (build_repo).
  : >"$base.tmp/etc/apt/sources.list"
  mv "$base.tmp" "$base"
}

# The hosts have no route out, so apt gets a repository on their own disk, as Wire's offline
# bundle gives one (LAB.md): /srv/lab-apt, flat and unsigned (sources use [trusted=yes]). It
# holds wil-hello (a tiny service built here with the image's own dpkg-deb, for the engine's
# tests) and the real Debian packages the host-side stages install (REPO_PACKAGES) with the
# dependencies the base image lacks, downloaded once from this machine's mirror while building.
REPO_VERSION=5
REPO_PACKAGES="chrony postgresql rabbitmq-server conntrack socat ebtables nftables"
build_repo() {
  local base=$LAB_CACHE/base repo=$LAB_CACHE/base/srv/lab-apt pkg deb
  [ -f "$repo/.version-$REPO_VERSION" ] && return
  log "building the lab's apt repository ($REPO_PACKAGES, wil-hello)"
  rm -rf "$repo" && mkdir -p "$repo"
  # Debian packages: fetched through a sources list that exists only while this runs.
  printf 'deb %s bookworm main\n' "$(mirror)" >"$base/etc/apt/sources.list"
  chroot "$base" apt-get update -qq >"$LAB_CACHE/repo.log" 2>&1 &&
    chroot "$base" apt-get install -qq --download-only --no-install-recommends -y $REPO_PACKAGES >>"$LAB_CACHE/repo.log" 2>&1 ||
    { : >"$base/etc/apt/sources.list"; log "downloading packages failed, see $LAB_CACHE/repo.log"; exit 1; }
  mv "$base"/var/cache/apt/archives/*.deb "$repo/"
  : >"$base/etc/apt/sources.list"
  chroot "$base" apt-get clean
  # The mirror's package lists would only make apt look for it.
  rm -rf "$base"/var/lib/apt/lists/*_dists_*
  pkg=$(mktemp -d "$base/tmp/wil-hello.XXXXXX")
  mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin"
  chmod 755 "$pkg" # mktemp -d makes it 0700, and dpkg would record / as drwx------
  cat >"$pkg/DEBIAN/control" <<'CONTROL'
Package: wil-hello
Version: 1.0
Architecture: all
Maintainer: wire-install lab <lab@wire-install.invalid>
Description: lab service for wire-install's engine tests
 Reads its configuration file and keeps a heartbeat; nothing else.
CONTROL
  cat >"$pkg/usr/bin/wil-hello" <<'SCRIPT'
#!/bin/sh
# wil-hello CONFIG: copy the configuration to /run/wil-hello.seen every second, forever.
conf=${1:-/etc/wil-hello/hello.conf}
while :; do cat "$conf" >/run/wil-hello.seen 2>/dev/null; sleep 1; done
SCRIPT
  chmod 755 "$pkg/usr/bin/wil-hello"
  chroot "$base" dpkg-deb --root-owner-group -b "${pkg#"$base"}" /srv/lab-apt/wil-hello_1.0_all.deb >/dev/null
  rm -rf "$pkg"
  build_java_stand_in
  (
    cd "$repo"
    for deb in *.deb; do
      chroot "$base" dpkg-deb -f "/srv/lab-apt/$deb"
      printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$deb" "$(stat -c %s "$deb")" "$(sha256sum "$deb" | cut -d' ' -f1)"
    done >Packages
    printf 'Date: %s\nSHA256:\n %s %s Packages\n' "$(date -Ru)" \
      "$(sha256sum Packages | cut -d' ' -f1)" "$(stat -c %s Packages)" >Release
  )
  touch "$repo/.version-$REPO_VERSION"
}

# A STAND-IN for OpenJDK 8, which Cassandra and Elasticsearch install from the bundle's apt
# repository (docs/wire/install-sequences.md#offline-production): the lab's stand-in Cassandra and Elasticsearch are scripts and need no
# Java, but the steps install the package by its real name. /usr/bin/java only prints a version.
build_java_stand_in() {
  local base=$LAB_CACHE/base pkg
  pkg=$(mktemp -d "$base/tmp/wil-java.XXXXXX")
  mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin"
  chmod 755 "$pkg"
  cat >"$pkg/DEBIAN/control" <<'CONTROL'
Package: openjdk-8-jre-headless
Version: 8u999-lab-stand-in
Architecture: all
Maintainer: wire-install lab <lab@wire-install.invalid>
Description: lab stand-in for OpenJDK 8 (not Java)
 Provides /usr/bin/java that prints a version, for wire-install's lab tests.
CONTROL
  cat >"$pkg/usr/bin/java" <<'SCRIPT'
#!/bin/sh
# Lab stand-in for OpenJDK 8's java: prints a version; runs nothing.
echo 'openjdk version "1.8.0_999" (wire-install lab stand-in)' >&2
SCRIPT
  chmod 755 "$pkg/usr/bin/java"
  chroot "$base" dpkg-deb --root-owner-group -b "${pkg#"$base"}" /srv/lab-apt/openjdk-8-jre-headless_8u999_all.deb >/dev/null
  rm -rf "$pkg"
}

host_name() { printf 'labhost%d' "$1"; }
host_addr() { printf '%s.%d' "$NET_PREFIX" $((10 + $1)); }

lab_key() {
  mkdir -p "$LAB_RUN"
  [ -f "$LAB_RUN/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C wire-install-lab -f "$LAB_RUN/id_ed25519"
}

bridge_up() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    # A fixed MAC: otherwise the bridge's address changes as ports join and traffic stalls 10-20 s.
    ip link add "$BRIDGE" address "$BRIDGE_MAC" type bridge
    ip addr add "$BRIDGE_ADDR/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

# Writes the host's identity into its overlay's upper directory before boot.
identify() {
  local i=$1 name upper
  name=$(host_name "$i")
  upper=$LAB_RUN/$name/upper
  mkdir -p "$upper/etc/ssh" "$upper/root/.ssh" "$upper/etc/systemd/network"
  echo "$name" >"$upper/etc/hostname"
  printf '127.0.0.1 localhost\n%s %s\n' "$(host_addr "$i")" "$name" >"$upper/etc/hosts"
  tr -d '-' </proc/sys/kernel/random/uuid >"$upper/etc/machine-id"
  ssh-keygen -q -t ed25519 -N '' -C "$name" -f "$upper/etc/ssh/ssh_host_ed25519_key"
  install -m 0600 "$LAB_RUN/id_ed25519.pub" "$upper/root/.ssh/authorized_keys"
  chmod 0700 "$upper/root/.ssh"
}

# A network namespace per host, joined to the bridge by a veth pair; eth0 inside.
plumb() {
  local i=$1 ns="wil-$1" addr
  addr=$(host_addr "$i")
  ip netns add "$ns"
  ip link add "wil$i" type veth peer name eth0 netns "$ns"
  ip link set "wil$i" master "$BRIDGE" up
  ip -n "$ns" addr add "$addr/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$BRIDGE_ADDR"
}

boot() {
  local i=$1 name dir
  name=$(host_name "$i")
  dir=$LAB_RUN/$name
  mkdir -p "$dir/upper" "$dir/work" "$dir/merged"
  identify "$i"
  # The host's identity, kept for reset: a fresh disk with the same name, machine-id and keys.
  rm -rf "$dir/identity"
  cp -a "$dir/upper" "$dir/identity"
  mount -t overlay overlay -o "lowerdir=$LAB_CACHE/base,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged"
  plumb "$i"
  start_container "$i"
  printf '%s %s\n' "$name" "$(host_addr "$i")" >>"$LAB_RUN/hosts"
  # Clients verify the hosts: their keys are known before they boot.
  printf '%s %s\n' "$(host_addr "$i")" "$(cut -d' ' -f1,2 "$dir/upper/etc/ssh/ssh_host_ed25519_key.pub")" >>"$LAB_RUN/known_hosts"
}

# Boots (or boots again, after stop) host i's container; its disk (the overlay) is kept.
start_container() {
  local i=$1 name dir
  name=$(host_name "$i")
  dir=$LAB_RUN/$name
  setsid systemd-nspawn -q -D "$dir/merged" -M "$name" --register=no --keep-unit -b \
    --console=passive --network-namespace-path="/run/netns/wil-$i" >>"$dir/console.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
}

# Whether pid is the systemd-nspawn of the host named name. A pid recorded earlier may since
# belong to anything on this machine: a host that was switched off leaves its pid file, and pids
# are reused (pid_max can be 32768, and a CI run starts tens of thousands of processes). Signals
# go only to a pid that is still the host's nspawn, never to whatever took its number.
is_nspawn_of() {
  local cmdline
  # The braces put the redirection's own error (a pid that is gone) under 2>/dev/null too.
  cmdline=$({ tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null) || return 1
  [[ "$cmdline" == *systemd-nspawn*" -M $2 "* ]]
}

# The pid of host i's running systemd-nspawn, or nothing when it does not run.
host_pid() {
  local name pid
  name=$(host_name "$1")
  [ -f "$LAB_RUN/$name/pid" ] || return 0
  pid=$(cat "$LAB_RUN/$name/pid")
  if is_nspawn_of "$pid" "$name"; then echo "$pid"; fi
  return 0
}

# Stops one host like a power-off in the middle of work (tests of a lost host), by its pid.
stop_host() {
  local i=$1 pid dir
  dir=$LAB_RUN/$(host_name "$i")
  [ -f "$dir/pid" ] || { log "host $i is not part of the lab"; exit 2; }
  pid=$(host_pid "$i")
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 100); do [ -n "$(host_pid "$i")" ] || return 0; sleep 0.1; done
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do [ -n "$(host_pid "$i")" ] || return 0; sleep 0.1; done
  log "host $i (pid $pid) did not stop"
  exit 1
}

# Switches one host off at once (tests of a host lost mid-command): its network goes silent first,
# since a host without power sends nothing, not even the resets its kernel would send for the
# connections of killed processes; then every process of the host (all of them in its network
# namespace, systemd first) and its nspawn get SIGKILL: no shutdown runs. start boots it again.
poweroff_host() {
  local i=$1 pid dir
  dir=$LAB_RUN/$(host_name "$i")
  [ -f "$dir/pid" ] || { log "host $i is not part of the lab"; exit 2; }
  pid=$(host_pid "$i")
  ip -n "wil-$i" link set eth0 down
  # shellcheck disable=SC2046 # one pid per word
  kill -KILL ${pid:+"$pid"} $(ip netns pids "wil-$i") 2>/dev/null || true
  for _ in $(seq 100); do
    if [ -z "$(host_pid "$i")" ] && [ -z "$(ip netns pids "wil-$i")" ]; then return 0; fi
    sleep 0.1
  done
  log "host $i (pid $pid) did not stop"
  exit 1
}

start_host() {
  local i=$1 pid dir addr
  dir=$LAB_RUN/$(host_name "$i")
  [ -f "$dir/pid" ] || { log "host $i is not part of the lab"; exit 2; }
  pid=$(host_pid "$i")
  if [ -n "$pid" ]; then return 0; fi
  # After poweroff: the link back up, and the default route the kernel dropped with it.
  ip -n "wil-$i" link set eth0 up
  ip -n "wil-$i" route replace default via "$BRIDGE_ADDR"
  start_container "$i"
  addr=$(host_addr "$i")
  local deadline=$((SECONDS + 60))
  until timeout 1 bash -c "exec 3<>/dev/tcp/$addr/22" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { log "host $i did not answer on port 22 within 60 s"; exit 1; }
    sleep 0.2
  done
}

# Reinstalls host i as an operator rebuilds a machine under the same name: stopped by its pid, its
# overlay's upper directory (everything installed since the base image) wiped, a new identity
# (machine-id, SSH host key), booted again. known_hosts gets the new key in place of the old one.
rebuild_host() {
  local i=$1 dir addr known
  dir=$LAB_RUN/$(host_name "$i")
  [ -f "$dir/pid" ] || { log "host $i is not part of the lab"; exit 2; }
  stop_host "$i"
  if mountpoint -q "$dir/merged"; then umount "$dir/merged"; fi
  rm -rf "$dir/upper" "$dir/work"
  mkdir -p "$dir/upper" "$dir/work"
  identify "$i"
  rm -rf "$dir/identity"
  cp -a "$dir/upper" "$dir/identity"
  mount -t overlay overlay -o "lowerdir=$LAB_CACHE/base,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged"
  addr=$(host_addr "$i")
  known=$LAB_RUN/known_hosts
  grep -v "^$addr " "$known" >"$known.tmp" || true
  printf '%s %s\n' "$addr" "$(cut -d' ' -f1,2 "$dir/upper/etc/ssh/ssh_host_ed25519_key.pub")" >>"$known.tmp"
  mv "$known.tmp" "$known"
  start_host "$i"
}

# Puts hosts back as booted, for the next test file: each is switched off (its disk is thrown
# away, so nothing needs a clean shutdown), gets a fresh disk from the base image holding only
# its identity as boot wrote it, and is booted again; all at once. Cheaper and more thorough than
# undoing what a test installed (purging PostgreSQL and RabbitMQ took about 16 s per file).
reset_hosts() {
  local i dir
  [ $# -gt 0 ] || { log "reset: which hosts? (numbers)"; exit 2; }
  for i in "$@"; do
    dir=$LAB_RUN/$(host_name "$i")
    [ -f "$dir/pid" ] && [ -d "$dir/identity" ] || { log "host $i is not part of the lab (or was booted by an older lab.sh)"; exit 2; }
  done
  for i in "$@"; do poweroff_host "$i" & done
  wait
  for i in "$@"; do
    dir=$LAB_RUN/$(host_name "$i")
    if mountpoint -q "$dir/merged"; then umount "$dir/merged"; fi
    rm -rf "$dir/upper" "$dir/work"
    cp -a "$dir/identity" "$dir/upper"
    mkdir -p "$dir/work"
    mount -t overlay overlay -o "lowerdir=$LAB_CACHE/base,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged"
  done
  for i in "$@"; do start_host "$i" & done
  local failed=0
  for job in $(jobs -p); do wait "$job" || failed=1; done
  [ "$failed" = 0 ] || { log "reset: a host did not come back"; exit 1; }
}

# One more host in a running lab (a machine added to an installation): the next number, booted
# like the others, recorded in hosts and known_hosts. Prints its name.
add_host() {
  [ -f "$LAB_RUN/hosts" ] || { log "no lab is up"; exit 2; }
  local i name addr deadline=$((SECONDS + 60))
  i=$(($(wc -l <"$LAB_RUN/hosts") + 1))
  name=$(host_name "$i")
  [ ! -e "$LAB_RUN/$name" ] || { log "$name exists already"; exit 2; }
  boot "$i"
  addr=$(host_addr "$i")
  until timeout 1 bash -c "exec 3<>/dev/tcp/$addr/22" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { log "$name did not answer on port 22 within 60 s"; exit 1; }
    sleep 0.2
  done
  echo "$name"
}

# Takes host i out of the lab: stopped by its pid, its disk, namespace and records removed.
remove_host() {
  local i=$1 dir addr name
  name=$(host_name "$i")
  dir=$LAB_RUN/$name
  [ -f "$dir/pid" ] || { log "host $i is not part of the lab"; exit 2; }
  stop_host "$i"
  if mountpoint -q "$dir/merged"; then umount "$dir/merged"; fi
  ip netns del "wil-$i" 2>/dev/null || true
  ip link del "wil$i" 2>/dev/null || true
  rm -rf "$dir"
  addr=$(host_addr "$i")
  grep -v "^$name " "$LAB_RUN/hosts" >"$LAB_RUN/hosts.tmp" || true
  mv "$LAB_RUN/hosts.tmp" "$LAB_RUN/hosts"
  grep -v "^$addr " "$LAB_RUN/known_hosts" >"$LAB_RUN/known_hosts.tmp" || true
  mv "$LAB_RUN/known_hosts.tmp" "$LAB_RUN/known_hosts"
}

# An inventory for the lab's hosts. One host: a demo. Five or more: production, with three
# control-plane nodes that also carry the databases, workers, and the last host as asset host.
# (Two to four hosts cannot satisfy Wire's production rules; the inventory says so when used.)
write_inventory() {
  local count=$1 i roles mode=production
  [ "$count" -eq 1 ] && mode=demo
  {
    printf '# Written by test/lab/lab.sh up %s: the lab'"'"'s %s hosts.\n' "$count" "$count"
    printf 'apiVersion: wire-install/v1\nkind: Inventory\nmode: %s\ndomain: wire.lab.test\n' "$mode"
    printf 'certificates:\n  mode: self-signed\nssh:\n  user: root\n  identityFile: %s/id_ed25519\n' "$LAB_RUN"
    # The lab's repository on each host's disk stands in for the bundle's on the asset host.
    printf 'bundle:\n  aptRepository: "deb [trusted=yes] file:/srv/lab-apt ./"\nhosts:\n'
    for i in $(seq 1 "$count"); do
      if [ "$count" -eq 1 ]; then roles='kube-control-plane, kube-worker'
      elif [ "$i" -le 3 ]; then roles='kube-control-plane, kube-worker, cassandra, elasticsearch, minio, postgresql, rabbitmq'
      elif [ "$i" -eq "$count" ] && [ "$count" -ge 5 ]; then roles='assethost'
      else roles='kube-worker'; fi
      printf '  - { name: %s, address: %s, roles: [%s] }\n' "$(host_name "$i")" "$(host_addr "$i")" "$roles"
    done
  } >"$LAB_RUN/inventory.yaml"
}

wait_for_ssh() {
  local deadline=$((SECONDS + 60)) name addr
  while read -r name addr; do
    until timeout 1 bash -c "exec 3<>/dev/tcp/$addr/22" 2>/dev/null; do
      if [ $SECONDS -ge $deadline ]; then
        log "$name ($addr) did not answer on port 22 within 60 s; see $LAB_RUN/$name/console.log"
        exit 1
      fi
      sleep 0.2
    done
  done <"$LAB_RUN/hosts"
}

# Stops only the nspawn processes this lab started, by their recorded pids: TERM to all at once,
# wait, a second TERM to any that linger in stopping (LAB.md), then the mounts and the network.
down() {
  [ -d "$LAB_RUN" ] || { ip link del "$BRIDGE" 2>/dev/null || true; return; }
  local pids=() alive=() dir pid round
  local -A names=()
  for dir in "$LAB_RUN"/labhost*; do
    [ -f "$dir/pid" ] || continue
    pid=$(cat "$dir/pid")
    if is_nspawn_of "$pid" "${dir##*/}"; then pids+=("$pid") && names[$pid]=${dir##*/}; fi
  done
  for round in 1 2; do
    [ ${#pids[@]} -gt 0 ] || break
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 100); do
      alive=()
      for pid in "${pids[@]}"; do if is_nspawn_of "$pid" "${names[$pid]}"; then alive+=("$pid"); fi; done
      pids=("${alive[@]}")
      [ ${#pids[@]} -eq 0 ] && break
      sleep 0.1
    done
  done
  [ ${#pids[@]} -eq 0 ] || log "nspawn pids still running after two TERMs (round $round): ${pids[*]}"
  for dir in "$LAB_RUN"/labhost*; do
    [ -d "$dir" ] || continue
    if mountpoint -q "$dir/merged"; then umount "$dir/merged"; fi
  done
  local ns
  for ns in $(ip netns list | awk '/^wil-[0-9]+/ {print $1}'); do ip netns del "$ns"; done
  ip link del "$BRIDGE" 2>/dev/null || true
  rm -rf "$LAB_RUN"/labhost* "$LAB_RUN/hosts" "$LAB_RUN"/known_hosts* "$LAB_RUN/inventory.yaml"
}

up() {
  local count=${1:-3} start=$SECONDS
  [ "$count" -ge 1 ] && [ "$count" -le 40 ] || { log "host count must be 1-40"; exit 2; }
  build_image
  down
  build_repo
  [ "$count" -gt 18 ] && sysctl -qw fs.inotify.max_user_instances=8192
  lab_key
  bridge_up
  : >"$LAB_RUN/hosts"
  : >"$LAB_RUN/known_hosts"
  for i in $(seq 1 "$count"); do boot "$i"; done
  write_inventory "$count"
  wait_for_ssh
  log "$count hosts answer on port 22 after $((SECONDS - start)) s; key $LAB_RUN/id_ed25519, hosts in $LAB_RUN/hosts, host keys in $LAB_RUN/known_hosts, inventory $LAB_RUN/inventory.yaml"
}

# Holds the lab's record lock until this script exits.
lock_records() {
  mkdir -p "$LAB_RUN"
  exec 9>"$LAB_RUN/records.lock"
  flock 9
}

status() {
  [ -f "$LAB_RUN/hosts" ] || { log "no lab is up"; return; }
  local name addr state
  while read -r name addr; do
    if timeout 1 bash -c "exec 3<>/dev/tcp/$addr/22" 2>/dev/null; then state=ssh-up; else state=down; fi
    printf '%s %s %s\n' "$name" "$addr" "$state"
  done <"$LAB_RUN/hosts"
}

[ "$(id -u)" = 0 ] || { log "needs root (network namespaces, overlay mounts, nspawn)"; exit 1; }
case "${1:-}" in
  image) build_image && build_repo ;;
  up) up "${2:-3}" ;;
  down) down ;;
  status) status ;;
  stop) stop_host "${2:?host number}" ;;
  start) start_host "${2:?host number}" ;;
  poweroff) poweroff_host "${2:?host number}" ;;
  # These rewrite the lab's shared records (hosts, known_hosts): one at a time, since lab test
  # files of two slots run side by side.
  rebuild) lock_records && rebuild_host "${2:?host number}" ;;
  reset) shift; reset_hosts "$@" ;;
  add) lock_records && add_host ;;
  remove) lock_records && remove_host "${2:?host number}" ;;
  *) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
