# LAB STAND-IN for Apache Cassandra 3.11.19: NOT Cassandra. wire-install's lab cannot run a JVM
# database, so bin/cassandra, bin/nodetool and bin/cqlsh of the stand-in tarball are these few
# lines of python3. They keep the behaviour wire-install's steps depend on, at the process
# boundary: they read the rendered conf/cassandra.yaml and cassandra-rackdc.properties, a node
# listens on listen_address:storage_port (gossip) and rpc_address:native_transport_port (CQL),
# refuses to start when its directories are unusable or no seed answers, registers with the
# seed; nodetool shows UN/DN for the ring the seed knows (DN when a member's port does not
# answer) and the schema versions; cqlsh creates and lists keyspaces, which reach every node;
# nodetool snapshot has the node write each keyspace's snapshots/<tag>/ directory (no sstables).
# As the real one, the seed refuses a new node (another host ID) under an address the ring holds,
# unless it starts with -Dcassandra.replace_address_first_boot (JVM_EXTRA_OPTS) on its first boot:
# then it takes the dead node's place and host ID (a live node cannot be replaced). The seed
# tells every member the ring after each change, so a node made the seed later knows it whole.
# Messages are one JSON object per line over TCP.
import json
import os
import socket
import socketserver
import sys
import threading
import time
import uuid

HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# A new node streams its share of the data before it is Normal: nodetool shows it UJ meanwhile.
BOOTSTRAP_SECONDS = 2
SYSTEM_KEYSPACES = ["system", "system_auth", "system_distributed", "system_schema", "system_traces"]


def conf_dir():
    return os.environ.get("CASSANDRA_CONF") or os.path.join(HOME, "conf")


def load_conf():
    """The few keys of cassandra.yaml the stand-in needs (the file wire-install rendered)."""
    path = os.path.join(conf_dir(), "cassandra.yaml")
    conf = {"data_file_directories": [], "seeds": []}
    in_list = None
    with open(path) as handle:
        for raw in handle:
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            stripped = line.strip()
            if stripped.startswith("- seeds:"):
                value = stripped.split(":", 1)[1].strip().strip('"')
                conf["seeds"] = [s.strip() for s in value.split(",") if s.strip()]
                continue
            if in_list and line.startswith((" ", "\t")) and stripped.startswith("- "):
                conf[in_list].append(stripped[2:].strip())
                continue
            in_list = None
            if not line.startswith((" ", "\t")) and ":" in line:
                key, value = line.split(":", 1)
                value = value.strip().strip('"').strip("'")
                if key == "data_file_directories" and value == "":
                    in_list = key
                else:
                    conf[key] = value
    conf["storage_port"] = int(conf.get("storage_port", "7000"))
    conf["native_transport_port"] = int(conf.get("native_transport_port", "9042"))
    return conf


def load_rackdc():
    rackdc = {"dc": "dc1", "rack": "rack1"}
    path = os.path.join(conf_dir(), "cassandra-rackdc.properties")
    if os.path.exists(path):
        with open(path) as handle:
            for line in handle:
                if "=" in line and not line.lstrip().startswith("#"):
                    key, value = line.split("=", 1)
                    rackdc[key.strip()] = value.strip()
    return rackdc


def ask(address, port, message, timeout=2.0):
    """One request, one JSON answer; raises OSError when nothing answers."""
    with socket.create_connection((address, port), timeout=timeout) as conn:
        conn.sendall((json.dumps(message) + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data.decode() or "{}")


def answers(address, port, timeout=1.0):
    try:
        with socket.create_connection((address, port), timeout=timeout):
            return True
    except OSError:
        return False


def schema_version(keyspaces):
    return str(uuid.uuid3(uuid.NAMESPACE_OID, json.dumps(keyspaces, sort_keys=True)))


class Node:
    def __init__(self, conf):
        self.conf = conf
        self.lock = threading.Lock()
        self.address = conf["listen_address"]
        self.seed = self.address in conf["seeds"]
        # Where real Cassandra keeps the system keyspace (peers, local): the ring and schema here.
        self.state = os.path.join(conf["data_file_directories"][0], "system")
        self.members = self.read("members.json", {})
        self.keyspaces = self.read("keyspaces.json", {})
        host_id = self.read("host-id.json", None)
        if host_id is None:
            host_id = str(uuid.uuid4())
            self.write("host-id.json", host_id)
        rackdc = load_rackdc()
        self.me = {"address": self.address, "host_id": host_id, "dc": rackdc["dc"], "rack": rackdc["rack"]}

    def read(self, name, default):
        try:
            with open(os.path.join(self.state, name)) as handle:
                return json.load(handle)
        except FileNotFoundError:
            return default

    def write(self, name, value):
        os.makedirs(self.state, exist_ok=True)
        path = os.path.join(self.state, name)
        # A temporary name per thread: the seed's ring updates (spread) arrive while the main
        # thread writes too; each replace is atomic, the last one wins.
        temporary = f"{path}.{threading.get_ident()}.new"
        with open(temporary, "w") as handle:
            json.dump(value, handle)
        os.replace(temporary, path)

    def add_member(self, member):
        with self.lock:
            self.members[member["address"]] = member
            self.write("members.json", self.members)

    def spread(self):
        """The seed tells every other member the ring it holds, as gossip does: any node made the
        seed later (a seed taken out) knows every member, the dead ones included."""
        members = dict(self.members)

        def push():
            for address in members:
                if address != self.address:
                    try:
                        ask(address, self.conf["storage_port"], {"op": "members", "members": members}, timeout=1.0)
                    except (OSError, ValueError):
                        pass

        threading.Thread(target=push, daemon=True).start()

    def merge_keyspaces(self, keyspaces):
        with self.lock:
            self.keyspaces.update(keyspaces)
            self.write("keyspaces.json", self.keyspaces)

    def ring(self):
        if not self.seed:
            for seed in self.conf["seeds"]:
                try:
                    return ask(seed, self.conf["storage_port"], {"op": "ring"})["members"]
                except (OSError, ValueError, KeyError):
                    continue
        now = time.time()
        return [dict(m, state="J" if m.get("joining_until", 0) > now else "N") for m in self.members.values()]

    def gossip(self, message):
        op = message.get("op")
        if op == "join":
            if not self.seed:
                return {"ok": False, "error": f"{self.address} is not a seed"}
            if message.get("cluster") != self.conf.get("cluster_name"):
                return {
                    "ok": False,
                    "error": f"ClusterName mismatch: {message.get('cluster')} != {self.conf.get('cluster_name')}",
                }
            member = dict(message["member"])
            known = self.members.get(member["address"])
            replace = message.get("replace")
            if replace:
                # replace_address_first_boot: the new node takes the dead node's place and host ID.
                old = self.members.get(replace)
                if old is None:
                    return {"ok": False, "error": f"Cannot replace_address /{replace} because it doesn't exist in gossip"}
                if replace != member["address"] and answers(replace, self.conf["storage_port"]):
                    return {"ok": False, "error": f"Cannot replace a live node /{replace}. Endpoint is alive"}
                with self.lock:
                    self.members.pop(replace, None)
                member["host_id"] = old["host_id"]
                member["joining_until"] = time.time() + BOOTSTRAP_SECONDS
            elif known and known["host_id"] != member["host_id"]:
                # Real Cassandra refuses a new node (another host ID) under an address the ring holds.
                return {
                    "ok": False,
                    "error": f"A node with address /{member['address']} already exists, cancelling join. Use cassandra.replace_address if you want to replace this node.",
                }
            else:
                # A node new to the ring bootstraps first; one that was in it before is Normal at once.
                member["joining_until"] = known.get("joining_until", 0) if known else time.time() + BOOTSTRAP_SECONDS
            self.add_member(member)
            self.spread()
            return {"ok": True, "members": list(self.members.values()), "keyspaces": self.keyspaces}
        if op == "ring":
            return {"ok": True, "members": self.ring()}
        if op == "schema":
            return {"ok": True, "version": schema_version(self.keyspaces), "cluster": self.conf.get("cluster_name")}
        if op == "push-schema":
            self.merge_keyspaces(message["keyspaces"])
            return {"ok": True}
        if op == "snapshot":
            return self.snapshot(message["tag"])
        if op == "decommission":
            return self.decommission()
        if op == "mode":
            if self.read("decommissioned.json", False):
                return {"ok": True, "mode": "DECOMMISSIONED"}
            # Bootstrapping or replacing (streaming its data): JOINING until it is Normal.
            me = next((m for m in self.ring() if m["address"] == self.address), None)
            return {"ok": True, "mode": "JOINING" if me and me.get("state") == "J" else "NORMAL"}
        if op == "leave":
            # A seed takes a decommissioned node out of the ring.
            with self.lock:
                self.members.pop(message["address"], None)
                self.write("members.json", self.members)
            self.spread()
            return {"ok": True}
        if op == "members":
            # The ring as the seed holds it (see spread).
            if not self.seed:
                with self.lock:
                    self.members = message["members"]
                    self.write("members.json", self.members)
            return {"ok": True}
        if op == "removenode":
            return self.removenode(message["host_id"])
        return {"ok": False, "error": f"unknown op {op}"}

    def decommission(self):
        """Real Cassandra streams this node's ranges to the others, then leaves the ring (state
        DECOMMISSIONED; the process keeps running until stopped). The stand-in has no data: it asks
        the seeds to take it out."""
        if self.seed:
            return {"ok": False, "error": "the seed cannot be decommissioned in the lab stand-in"}
        if self.read("decommissioned.json", False):
            return {"ok": False, "error": "Node is not in the ring: it was decommissioned already"}
        for seed in self.conf["seeds"]:
            reply = ask(seed, self.conf["storage_port"], {"op": "leave", "address": self.address})
            if not reply.get("ok"):
                return reply
        self.write("decommissioned.json", True)
        return {"ok": True}

    def removenode(self, host_id):
        """nodetool removenode on a seed: a node that is gone, by its host ID; refused for a live one."""
        member = next((m for m in self.members.values() if m["host_id"] == host_id), None)
        if member is None:
            return {"ok": False, "error": f"Host ID not found: {host_id}"}
        if answers(member["address"], self.conf["storage_port"]):
            return {
                "ok": False,
                "error": f"Node /{member['address']} is alive and owns this ID. Use decommission command to remove it from the ring",
            }
        with self.lock:
            self.members.pop(member["address"], None)
            self.write("members.json", self.members)
        self.spread()
        return {"ok": True}

    def snapshot(self, tag):
        """Real Cassandra hard-links each table's sstables into <data>/<keyspace>/<table>-<id>/snapshots/<tag>/
        with manifest.json and schema.cql; the stand-in has no sstables, so one table directory per
        keyspace gets those two files."""
        data = self.conf["data_file_directories"][0]
        keyspaces = SYSTEM_KEYSPACES + sorted(self.keyspaces)
        dirs = [
            os.path.join(data, name, f"stand_in-{uuid.uuid3(uuid.NAMESPACE_OID, name).hex}", "snapshots", tag)
            for name in keyspaces
        ]
        if any(os.path.exists(path) for path in dirs):
            return {"ok": False, "error": f"Snapshot {tag} already exists."}
        for name, path in zip(keyspaces, dirs):
            os.makedirs(path)
            with open(os.path.join(path, "manifest.json"), "w") as handle:
                json.dump({"files": []}, handle)
            with open(os.path.join(path, "schema.cql"), "w") as handle:
                handle.write(f"-- lab stand-in snapshot of keyspace {name}: no sstables\n")
        return {"ok": True}

    def cql(self, statement):
        words = statement.replace(";", " ").split()
        upper = [w.upper() for w in words]
        if upper[:2] == ["CREATE", "KEYSPACE"]:
            rest = words[2:]
            if [w.upper() for w in rest[:3]] == ["IF", "NOT", "EXISTS"]:
                rest, if_not_exists = rest[3:], True
            else:
                if_not_exists = False
            name = rest[0].lower()
            if name in self.keyspaces or name in SYSTEM_KEYSPACES:
                if if_not_exists:
                    return {"ok": True, "rows": None}
                return {"ok": False, "error": f"AlreadyExists: Keyspace '{name}' already exists"}
            replication = parse_replication(statement)
            if replication is None:
                return {"ok": False, "error": "SyntaxException: CREATE KEYSPACE needs WITH replication = {...}"}
            self.merge_keyspaces({name: replication})
            for member in self.ring():
                if member["address"] != self.address:
                    try:
                        ask(member["address"], self.conf["storage_port"], {"op": "push-schema", "keyspaces": {name: replication}})
                    except OSError:
                        pass  # a node that is down pulls the schema from the seed when it joins again
            return {"ok": True, "rows": None}
        if upper[:1] == ["SELECT"] and "SYSTEM.PEERS" in upper:
            # system.peers: every other node this one knows, up or down.
            return {"ok": True, "peers": sorted(m["address"] for m in self.ring() if m["address"] != self.address)}
        if upper[:2] == ["DESCRIBE", "KEYSPACES"]:
            return {"ok": True, "names": SYSTEM_KEYSPACES + sorted(self.keyspaces)}
        if upper[:1] == ["SELECT"] and "SYSTEM_SCHEMA.KEYSPACES" in upper:
            rows = [[name, {"class": "org.apache.cassandra.locator.LocalStrategy"}] for name in SYSTEM_KEYSPACES]
            rows += [[name, self.keyspaces[name]] for name in sorted(self.keyspaces)]
            return {"ok": True, "rows": rows}
        return {"ok": False, "error": f"stand-in cqlsh does not know this statement: {statement.strip()}"}


def parse_replication(statement):
    start = statement.find("{")
    end = statement.rfind("}")
    if start < 0 or end < start:
        return None
    replication = {}
    for pair in statement[start + 1 : end].split(","):
        if ":" in pair:
            key, value = pair.split(":", 1)
            replication[key.strip().strip("'\"")] = value.strip().strip("'\"")
    klass = replication.get("class", "")
    if klass and "." not in klass:
        replication["class"] = f"org.apache.cassandra.locator.{klass}"
    return replication


def serve(address, port, handler):
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            line = self.rfile.readline()
            try:
                reply = handler(json.loads(line.decode()))
            except Exception as error:  # noqa: BLE001 - the stand-in reports, never dies
                reply = {"ok": False, "error": str(error)}
            self.wfile.write((json.dumps(reply) + "\n").encode())

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    server = Server((address, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def log(message):
    print(f"INFO  [main] {time.strftime('%Y-%m-%d %H:%M:%S')} {message} (lab stand-in)", flush=True)


def fail(message, code=3):
    print(f"ERROR [main] {message} (lab stand-in)", file=sys.stderr, flush=True)
    sys.exit(code)


def usable_dirs(conf):
    """Cassandra refuses to start when a data, commitlog or caches directory is not writable."""
    dirs = conf["data_file_directories"] + [
        conf[key] for key in ("commitlog_directory", "saved_caches_directory", "hints_directory") if key in conf
    ]
    if not conf["data_file_directories"]:
        fail("data_file_directories is not set in cassandra.yaml")
    # Real Cassandra checks the keyspace directories under the data directories too.
    for data in conf["data_file_directories"]:
        if os.path.isdir(data) and os.access(data, os.R_OK | os.X_OK):
            dirs += [os.path.join(data, name) for name in sorted(os.listdir(data)) if os.path.isdir(os.path.join(data, name))]
    for directory in dirs:
        try:
            os.makedirs(directory, exist_ok=True)
            probe = os.path.join(directory, ".stand-in-probe")
            with open(probe, "w") as handle:
                handle.write("ok")
            os.remove(probe)
        except OSError as error:
            fail(f"Insufficient permissions on directory {directory}: {error}")


def replace_address(first_boot):
    """-Dcassandra.replace_address_first_boot=ADDRESS from JVM_EXTRA_OPTS (cassandra-env.sh appends
    it to JVM_OPTS); Cassandra reads it only on the node's first boot."""
    for option in os.environ.get("JVM_EXTRA_OPTS", "").split():
        if option.startswith("-Dcassandra.replace_address_first_boot="):
            return option.split("=", 1)[1] if first_boot else None
    return None


def run_node():
    conf = load_conf()
    usable_dirs(conf)
    first_boot = not os.path.exists(os.path.join(conf["data_file_directories"][0], "system", "host-id.json"))
    replace = replace_address(first_boot)
    node = Node(conf)
    if node.read("decommissioned.json", False):
        fail("This node was decommissioned and will not rejoin the ring unless cassandra.override_decommission=true has been set")
    log(f"Cassandra 3.11.19 stand-in, cluster {conf.get('cluster_name')}, {node.me['dc']}/{node.me['rack']}")
    try:
        gossip = serve(node.address, conf["storage_port"], node.gossip)
    except OSError as error:
        fail(f"Unable to bind to {node.address}:{conf['storage_port']}: {error}")
    if node.seed:
        node.add_member(node.me)
    else:
        joined = None
        deadline = time.time() + 10
        while joined is None and time.time() < deadline:
            for seed in conf["seeds"]:
                try:
                    reply = ask(
                        seed,
                        conf["storage_port"],
                        {"op": "join", "cluster": conf.get("cluster_name"), "member": node.me, "replace": replace},
                    )
                except OSError:
                    continue
                if not reply.get("ok"):
                    fail(f"seed {seed} refused this node: {reply.get('error')}")
                joined = reply
                break
            if joined is None:
                time.sleep(1)
        if joined is None:
            fail(f"Unable to gossip with any peers: no seed answers ({', '.join(conf['seeds'])}:{conf['storage_port']})", 1)
        node.members = {m["address"]: m for m in joined["members"]}
        node.write("members.json", node.members)
        if replace:
            log(f"Replacing /{replace} (replace_address_first_boot): took over its tokens and host ID")
            node.me["host_id"] = node.members[node.address]["host_id"]
            node.write("host-id.json", node.me["host_id"])
        node.merge_keyspaces(joined["keyspaces"])
    try:
        serve(conf["rpc_address"], conf["native_transport_port"], lambda m: node.cql(m.get("statement", "")))
    except OSError as error:
        gossip.shutdown()
        fail(f"Unable to bind CQL to {conf['rpc_address']}:{conf['native_transport_port']}: {error}")
    log(f"Starting listening for CQL clients on /{conf['rpc_address']}:{conf['native_transport_port']}")
    while True:
        time.sleep(3600)
