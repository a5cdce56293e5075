#!/usr/bin/python3
# LAB STAND-IN for Elasticsearch OSS 6.8.23, used by wire-install's lab tests: NOT Elasticsearch.
# It sits where the real package puts its launcher (/usr/share/elasticsearch/bin/elasticsearch)
# and does at the process boundary what wire-install relies on: it READS the elasticsearch.yml
# wire-install wrote (cluster.name, node.name, network.host, http.port, the zen unicast hosts and
# minimum_master_nodes) and jvm.options (refusing, like ES's bootstrap checks, a heap whose -Xms
# differs from -Xmx), listens on network.host:http.port, and answers /, /_cluster/health and
# /_cat/nodes by asking each unicast host whether an ES node of the same cluster answers there
# (over HTTP on 9200; real ES uses its transport port 9300). Stopping one node's service makes
# the others' health report one node fewer.
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
        return self.reply(404, {"error": f"the lab stand-in does not serve {url.path}", "status": 404})

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
