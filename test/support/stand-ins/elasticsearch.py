#!/usr/bin/python3
# LAB STAND-IN for Elasticsearch OSS 6.8.23, used by wire-install's lab tests: NOT Elasticsearch.
# It sits where the real package puts its launcher (/usr/share/elasticsearch/bin/elasticsearch)
# and does at the process boundary what wire-install relies on: it READS the elasticsearch.yml
# wire-install wrote (cluster.name, node.name, network.host, http.port, the zen unicast hosts and
# minimum_master_nodes) and jvm.options (refusing, like ES's bootstrap checks, a heap whose -Xms
# differs from -Xmx), listens on network.host:http.port, and answers /, /_cluster/health and
# /_cat/nodes by asking each unicast host whether an ES node of the same cluster answers there
# (over HTTP on 9200; real ES uses its transport port 9300). Stopping one node's service makes
# the others' health report one node fewer. It keeps persistent cluster settings (PUT and GET
# /_cluster/settings, passed on to the other nodes) and lists one shard copy per node in
# /_cat/shards; a node whose address is in cluster.routing.allocation.exclude._ip holds none a few
# seconds later (relocated), as allocation filtering does.
import json
import os
import sys
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

CONF = os.environ.get("ES_PATH_CONF", "/etc/elasticsearch")


def read_yaml(path):
    """The flat `key: value` / `key: [a, b]` subset of YAML that elasticsearch.yml uses."""
    config = {}
    with open(path, encoding="utf-8") as text:
        for raw in text:
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip() or ":" not in line:
                continue
            key, value = line.split(":", 1)
            value = value.strip()
            if value.startswith("["):
                value = [v.strip().strip("\"'") for v in value.strip("[]").split(",") if v.strip()]
            else:
                value = value.strip("\"'")
            config[key.strip()] = value
    return config


def heap_options(path):
    options = {}
    with open(path, encoding="utf-8") as text:
        for line in text:
            line = line.strip()
            for flag in ("-Xms", "-Xmx"):
                if line.startswith(flag):
                    options[flag] = line[len(flag):]
    return options


config = read_yaml(os.path.join(CONF, "elasticsearch.yml"))
heap = heap_options(os.path.join(CONF, "jvm.options"))
if heap.get("-Xms") != heap.get("-Xmx"):
    sys.exit(f"bootstrap check failed: initial heap size [{heap.get('-Xms')}] not equal to maximum heap size [{heap.get('-Xmx')}]")
CLUSTER = config.get("cluster.name", "elasticsearch")
NAME = config.get("node.name", os.uname().nodename)
HOST = config.get("network.host", "127.0.0.1")
PORT = int(config.get("http.port", "9200"))
UNICAST = config.get("discovery.zen.ping.unicast.hosts", [])
if isinstance(UNICAST, str):
    UNICAST = [UNICAST]
MINIMUM_MASTERS = int(config.get("discovery.zen.minimum_master_nodes", "1"))

if "-p" in sys.argv:
    pid_file = sys.argv[sys.argv.index("-p") + 1]
    with open(pid_file, "w", encoding="utf-8") as out:
        out.write(str(os.getpid()))


def nodes():
    """The unicast hosts where a node of this cluster answers, self included."""
    found = []
    for entry in UNICAST:
        host = entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry
        try:
            with urllib.request.urlopen(f"http://{host}:{PORT}/", timeout=1) as answer:
                info = json.load(answer)
            if info.get("cluster_name") == CLUSTER:
                found.append({"name": info.get("name"), "ip": host})
        except Exception:
            pass
    return found


# The cluster settings, where the node keeps its state (real ES: the cluster state on disk).
SETTINGS = "/var/lib/elasticsearch/stand-in-settings.json"
# Shards leave an excluded node after this long (real ES copies them to the others first).
RELOCATION_SECONDS = 3


def read_settings():
    try:
        with open(SETTINGS, encoding="utf-8") as text:
            return json.load(text)
    except (OSError, ValueError):
        return {}


def write_settings(settings):
    # Each excluded address is remembered with the time it was excluded (for the relocation).
    excluded = [a.strip() for a in settings.get("cluster.routing.allocation.exclude._ip", "").split(",") if a.strip()]
    since = read_settings().get("stand-in.excluded-since", {})
    settings["stand-in.excluded-since"] = {a: since.get(a, time.time()) for a in excluded}
    with open(SETTINGS + ".new", "w", encoding="utf-8") as text:
        json.dump(settings, text)
    os.replace(SETTINGS + ".new", SETTINGS)


def shards():
    """One copy of the directory index's shard on each node; an excluded node's copy relocates
    (RELOCATING for RELOCATION_SECONDS), then it holds none."""
    settings = read_settings()
    since = settings.get("stand-in.excluded-since", {})
    rows = []
    for index, node in enumerate(nodes()):
        state = "STARTED"
        if node["ip"] in since:
            if time.time() - since[node["ip"]] >= RELOCATION_SECONDS:
                continue
            state = "RELOCATING"
        rows.append({"index": "directory", "shard": "0", "prirep": "p" if index == 0 else "r", "state": state, "node": node["name"]})
    return rows


class Handler(BaseHTTPRequestHandler):
    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json; charset=UTF-8")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlparse(self.path)
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        if url.path == "/":
            return self.reply(200, {
                "name": NAME,
                "cluster_name": CLUSTER,
                "version": {"number": "6.8.23", "build_flavor": "oss"},
                "tagline": "lab stand-in for Elasticsearch (wire-install tests), not Elasticsearch",
            })
        if url.path == "/_cat/nodes":
            return self.reply(200, nodes())
        if url.path == "/_cluster/health":
            return self.health(query)
        if url.path == "/_cluster/settings":
            return self.reply(200, {"persistent": read_settings(), "transient": {}})
        if url.path == "/_cat/shards":
            return self.reply(200, shards())
        return self.reply(404, {"error": f"the lab stand-in does not serve {url.path}", "status": 404})

    def do_PUT(self):
        url = urlparse(self.path)
        if url.path != "/_cluster/settings":
            return self.reply(404, {"error": f"the lab stand-in does not serve PUT {url.path}", "status": 404})
        length = int(self.headers.get("content-length", "0") or 0)
        try:
            persistent = json.loads(self.rfile.read(length) or b"{}").get("persistent", {})
        except ValueError as error:
            return self.reply(400, {"error": f"not JSON: {error}", "status": 400})
        settings = read_settings()
        for key, value in persistent.items():
            if value is None:
                settings.pop(key, None)
            else:
                settings[key] = str(value)
        write_settings(settings)
        # Cluster settings are the cluster's: the other nodes get them too.
        if not self.headers.get("x-stand-in-forwarded"):
            for node in nodes():
                if node["ip"] == HOST:
                    continue
                try:
                    urllib.request.urlopen(urllib.request.Request(
                        f"http://{node['ip']}:{PORT}/_cluster/settings",
                        data=json.dumps({"persistent": persistent}).encode(),
                        method="PUT",
                        headers={"content-type": "application/json", "x-stand-in-forwarded": "1"},
                    ), timeout=5).read()
                except Exception:
                    pass
        return self.reply(200, {"acknowledged": True, "persistent": persistent, "transient": {}})

    def health(self, query):
        timeout = float(query.get("timeout", "30s").rstrip("s"))
        wanted_nodes = int(query.get("wait_for_nodes", "0") or 0)
        deadline = time.time() + timeout
        while True:
            count = len(nodes())
            ok = count >= MINIMUM_MASTERS and count >= wanted_nodes
            if ok or time.time() >= deadline:
                break
            time.sleep(1)
        if count < MINIMUM_MASTERS:
            return self.reply(503, {
                "error": {"type": "master_not_discovered_exception", "reason": f"{count} of {MINIMUM_MASTERS} master nodes"},
                "status": 503,
            })
        body = {
            "cluster_name": CLUSTER,
            "status": "green",
            "timed_out": not ok,
            "number_of_nodes": count,
            "number_of_data_nodes": count,
            "active_primary_shards": 0,
            "active_shards": 0,
            "unassigned_shards": 0,
        }
        return self.reply(200 if ok else 408, body)


print(f"lab stand-in for Elasticsearch 6.8.23: node {NAME} of {CLUSTER} on {HOST}:{PORT}", flush=True)
ThreadingHTTPServer((HOST, PORT), Handler).serve_forever()
