import type { RemoteHost } from './types.js';

/**
 * What a host is, gathered in one round trip: a small POSIX sh script prints `key=value` lines,
 * parsed here. Plain sh and coreutils only, so it works on a fresh Ubuntu before anything is
 * installed (no python, no jq).
 */
export interface HostFacts {
  hostname: string;
  os: { id: string; versionId: string; prettyName: string };
  kernel: string;
  architecture: string;
  cpus: number;
  memoryGiB: number;
  /** Free and total space of the filesystem holding /var/lib, where data will live. */
  disk: { path: string; totalGiB: number; freeGiB: number };
  addresses: string[];
  initSystem: string;
  timeSync: { ntpSynchronized: boolean | undefined; service: string | undefined };
  /** False in containers (and the lab): sysctl steps persist their settings and report, not crash. */
  procSysWritable: boolean;
  /** The version of wire-install that last changed this host, from its marker file. */
  installedBy: string | undefined;
  /** /etc/machine-id: two inventory hosts with the same one are one machine, or careless clones. */
  machineId: string;
  /**
   * The host's clock minus this machine's, in ms, measured in the facts round trip (so within
   * half its duration). Compared across hosts by preflight: Cassandra needs synchronised clocks.
   */
  clockOffsetMs: number;
  /** TCP ports something listens on, with the program (ss -ltnp; empty where ss is missing). */
  listening: ListeningSocket[];
}

/**
 * ss -Hltnp's lines to `port:program:cgroup`. A socket lists every process holding it
 * (`users:(("systemd",pid=1,fd=52),("(agetty)",pid=812,fd=52))`): a name in parentheses is
 * a child systemd has forked and not yet exec-ed (it holds all of systemd's sockets for a
 * moment, typical right after a boot), not the owner. The first holder not in parentheses is
 * taken, and its cgroup read; only when every holder is in parentheses is that name kept
 * (preflight then says the port is held only for a moment).
 */
export const LISTENING_AWK = String.raw`{n=split($4,a,":"); u=$0; p=""; id=""; while (match(u,/\("[^"]*",pid=[0-9]+/)) { e=substr(u,RSTART+2,RLENGTH-2); u=substr(u,RSTART+RLENGTH); q=index(e,"\""); name=substr(e,1,q-1); pid=substr(e,q+6); if (p=="" || (p ~ /^\(/ && name !~ /^\(/)) { p=name; id=pid } } g=""; if (id!="") { f="/proc/" id "/cgroup"; while ((getline l < f) > 0) if (l ~ /^0::/ || l ~ /name=systemd:/) { sub(/^[^:]*:[^:]*:/,"",l); g=l } close(f) } printf "%s:%s:%s ", a[n], p, g}`;

export const HOST_FACT_SCRIPT = `
. /etc/os-release 2>/dev/null
# Files are read with the shell's own \`read\` where possible: every process started costs a few
# milliseconds, and with twenty hosts at once on a small admin host that adds up (bench/).
read -r host_name < /proc/sys/kernel/hostname; echo "hostname=$host_name"
echo "os.id=$ID"
echo "os.version_id=$VERSION_ID"
echo "os.pretty_name=$PRETTY_NAME"
read -r kernel < /proc/sys/kernel/osrelease; echo "kernel=$kernel"
echo "arch=$(uname -m)"
echo "cpus=$(nproc)"
while read -r key value _; do
  if [ "$key" = MemTotal: ]; then echo "mem_kib=$value"; break; fi
done < /proc/meminfo
# The disk, the addresses and the listening TCP sockets, read by one awk (a section each):
# port:program:cgroup for every listening socket (preflight: are the ports Wire needs free, or
# held by our own services?). The cgroup (v2 "0::" line, or v1's name=systemd) names the
# systemd unit or pod slice the process runs in, read by awk itself: no process per socket.
{ df -Pk /var/lib; echo @addresses; ip -o addr show scope global; echo @listening; ss -Hltnp; } 2>/dev/null | awk '
/^@addresses$/ { s = "a"; printf "addresses="; next }
/^@listening$/ { s = "l"; printf "\\nlistening="; next }
s == "" && FNR == 2 { print "disk_total_kib=" $2; print "disk_free_kib=" $4 }
s == "a" { split($4, a, "/"); printf "%s ", a[1] }
s == "l" ${LISTENING_AWK}
END { print "" }'
read -r init < /proc/1/comm; echo "init=$init"
# The time service, from the running processes (no systemctl call: each costs ~40 ms under
# load). timedatectl (which starts timedated over D-Bus) is asked only when one runs; without
# one nothing disciplines the clock, which is what NTPSynchronized=no means.
time_service=
for comm in /proc/[0-9]*/comm; do
  read -r name < "$comm" 2>/dev/null || continue
  case $name in
    chronyd) time_service=chrony ;;
    ntpd) time_service=ntp ;;
    systemd-timesyn) time_service=systemd-timesyncd ;;
    *) continue ;;
  esac
  break
done
if [ -n "$time_service" ]; then
  echo "time_service=$time_service"
  echo "ntp_synchronized=$(timedatectl show -p NTPSynchronized --value 2>/dev/null)"
else
  echo "ntp_synchronized=no"
fi
# Writing a setting back as it is, with the shell's own read and echo, says whether settings can
# be made. (An integer setting read byte by byte ends without its newline: read's status is 1.)
if [ -w /proc/sys/net/ipv4/ip_forward ] && { read -r forward < /proc/sys/net/ipv4/ip_forward; [ -n "$forward" ] && echo "$forward" > /proc/sys/net/ipv4/ip_forward; } 2>/dev/null; then
  echo "proc_sys_writable=yes"
else
  echo "proc_sys_writable=no"
fi
installed_by=
[ -r /etc/wire-install/installed-by ] && read -r installed_by < /etc/wire-install/installed-by
echo "installed_by=$installed_by"
machine_id=
[ -r /etc/machine-id ] && read -r machine_id < /etc/machine-id
echo "machine_id=$machine_id"
echo "clock_ms=$(date +%s%3N)"
`;

const GIB_IN_KIB = 1024 * 1024;

/** A listening TCP socket: its port, the program holding it and that program's cgroup path. */
export interface ListeningSocket {
  port: number;
  program: string;
  /** e.g. /system.slice/cassandra.service, /kubepods.slice/...; empty when unknown. */
  cgroup: string;
}

/**
 * `22:sshd:/system.slice/ssh.service 5432:postgres:/system.slice/postgresql@15-main.service ...`,
 * one entry per port (IPv4 and IPv6 sockets of a port are one); the cgroup may be empty.
 */
export function parseListening(text: string): ListeningSocket[] {
  const byPort = new Map<number, ListeningSocket>();
  for (const entry of text.split(/\s+/).filter(Boolean)) {
    const [portText = '', program = '', ...rest] = entry.split(':');
    const port = Number(portText);
    if (Number.isInteger(port) && port > 0 && !byPort.has(port))
      byPort.set(port, { port, program, cgroup: rest.join(':') });
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}

export function parseFacts(text: string): HostFacts {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  const text_ = (key: string) => values.get(key) ?? '';
  const number = (key: string) => Number(values.get(key) ?? Number.NaN);
  const round = (kib: number) => Math.round((kib / GIB_IN_KIB) * 10) / 10;
  const synchronized = text_('ntp_synchronized');
  return {
    hostname: text_('hostname'),
    os: { id: text_('os.id'), versionId: text_('os.version_id'), prettyName: text_('os.pretty_name') },
    kernel: text_('kernel'),
    architecture: text_('arch'),
    cpus: number('cpus'),
    memoryGiB: round(number('mem_kib')),
    disk: {
      path: '/var/lib',
      totalGiB: round(number('disk_total_kib')),
      freeGiB: round(number('disk_free_kib')),
    },
    addresses: text_('addresses').split(/\s+/).filter(Boolean),
    initSystem: text_('init'),
    timeSync: {
      ntpSynchronized: synchronized === 'yes' ? true : synchronized === 'no' ? false : undefined,
      service: values.get('time_service') || undefined,
    },
    procSysWritable: text_('proc_sys_writable') === 'yes',
    installedBy: values.get('installed_by') || undefined,
    machineId: text_('machine_id'),
    clockOffsetMs: 0,
    listening: parseListening(text_('listening')),
  };
}

/** One command, one round trip; the clock offset is taken against the middle of it. */
export async function gatherFacts(host: RemoteHost): Promise<HostFacts> {
  const sent = Date.now();
  const result = await host.exec('sh -s', { stdin: HOST_FACT_SCRIPT, timeoutMs: 20_000 });
  const received = Date.now();
  const facts = parseFacts(result.stdout);
  const clock = Number(/^clock_ms=(\d+)$/m.exec(result.stdout)?.[1]);
  return { ...facts, clockOffsetMs: Number.isFinite(clock) ? clock - (sent + received) / 2 : 0 };
}
