#!/usr/bin/python3
# LAB STAND-IN for the MinIO server (RELEASE.2023-07-07), used by wire-install's lab tests: NOT
# MinIO. It sits where wire-install puts the bundle's minio build (/usr/local/bin/minio) and is
# started the same way (`minio server --address ADDR:PORT $MINIO_VOLUMES`, with MINIO_ROOT_USER
# and MINIO_ROOT_PASSWORD from the environment file). It serves the drive of MINIO_VOLUMES that
# is its own address (refusing to start when none is, as MinIO does), keeps buckets as folders
# and users, policies and anonymous access as files in that drive, refuses requests whose keys
# it does not know, and reports each server of MINIO_VOLUMES online or offline by asking it
# (/minio/health/live). It speaks a private JSON protocol with the stand-in mc, not S3.
import base64
import json
import os
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

args = sys.argv[1:]
if not args or args[0] != "server":
    sys.exit("lab stand-in for minio: only `minio server --address ADDR:PORT VOLUMES...` is supported")
args = args[1:]
address = None
volumes = []
while args:
    arg = args.pop(0)
    if arg == "--address":
        address = args.pop(0)
    elif arg.startswith("--"):
        args.pop(0)
    else:
        volumes.extend(arg.split())
if not address or not volumes:
    sys.exit("lab stand-in for minio: --address and the volumes are required")
ROOT = (os.environ.get("MINIO_ROOT_USER", ""), os.environ.get("MINIO_ROOT_PASSWORD", ""))
if len(ROOT[0]) < 3 or len(ROOT[1]) < 8:
    sys.exit("MINIO_ROOT_USER (3 characters or more) and MINIO_ROOT_PASSWORD (8 or more) are required")

endpoints = [urlsplit(volume) for volume in volumes]
local = [e for e in endpoints if e.netloc == address]
if not local:
    sys.exit(f"no drive of MINIO_VOLUMES is local to {address}: {' '.join(volumes)}")
DRIVE = local[0].path
if not os.access(DRIVE, os.W_OK):
    sys.exit(f"drive {DRIVE} is not writable")
SYS = os.path.join(DRIVE, ".minio.sys")
os.makedirs(SYS, exist_ok=True)
IAM = os.path.join(SYS, "stand-in-iam.json")


def load():
    try:
        with open(IAM, encoding="utf-8") as text:
            return json.load(text)
    except FileNotFoundError:
        return {"users": {}, "policies": {}, "anonymous": {}}


def save(iam):
    with open(IAM + ".tmp", "w", encoding="utf-8") as out:
        json.dump(iam, out)
    os.replace(IAM + ".tmp", IAM)


def buckets():
    return sorted(name for name in os.listdir(DRIVE) if not name.startswith(".") and os.path.isdir(os.path.join(DRIVE, name)))


def allowed(policy, action, resource):
    for statement in policy.get("Statement", []):
        if statement.get("Effect") == "Allow" and action in statement.get("Action", []) and resource in statement.get("Resource", []):
            return True
    return False


def online(netloc):
    try:
        with urllib.request.urlopen(f"http://{netloc}/minio/health/live", timeout=1):
            return True
    except Exception:
        return False


def admin_info():
    # The fields of madmin's InfoMessage, ServerProperties and Disk that real MinIO fills in and
    # wire-install reads (test/support/mc-json.ts), a few neighbours, nothing else.
    netlocs = list(dict.fromkeys(e.netloc for e in endpoints))
    network = {netloc: "online" if online(netloc) else "offline" for netloc in netlocs}
    servers = []
    for netloc in netlocs:
        up = network[netloc] == "online"
        servers.append({
            "state": "online" if up else "offline",
            "endpoint": netloc,
            "scheme": "http",
            "network": network,
            "drives": [{"endpoint": f"http://{e.netloc}{e.path}", "path": e.path, "state": "ok" if up else "offline"} for e in endpoints if e.netloc == netloc],
        })
    return {"mode": "online", "buckets": {"count": len(buckets())}, "servers": servers}


class Failure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def handle(who, request):
    iam = load()
    op = request.get("op")
    bucket = request.get("bucket", "")
    root = who is None
    if op == "list_buckets":
        if not root:
            raise Failure(403, "Access Denied.")
        return buckets()
    if op == "list_objects":
        if not root and not any(allowed(iam["policies"].get(p, {}), "s3:ListBucket", f"arn:aws:s3:::{bucket}") for p in who.get("policies", [])):
            raise Failure(403, "Access Denied.")
        if bucket not in buckets():
            raise Failure(404, "The specified bucket does not exist")
        return sorted(os.listdir(os.path.join(DRIVE, bucket)))
    if not root:
        raise Failure(403, "Access Denied.")
    if op == "make_bucket":
        if bucket in buckets():
            raise Failure(409, "Your previous request to create the named bucket succeeded and you already own it.")
        os.mkdir(os.path.join(DRIVE, bucket))
        return True
    if op == "get_anonymous":
        if bucket not in buckets():
            raise Failure(404, "The specified bucket does not exist")
        return iam["anonymous"].get(bucket, "private")
    if op == "set_anonymous":
        iam["anonymous"][bucket] = request["permission"]
    elif op == "add_user":
        old = iam["users"].get(request["accessKey"], {})
        iam["users"][request["accessKey"]] = {"secretKey": request["secretKey"], "policies": old.get("policies", [])}
    elif op == "list_users":
        return [{"accessKey": key, "policyName": ",".join(user["policies"]), "userStatus": "enabled"} for key, user in iam["users"].items()]
    elif op == "create_policy":
        iam["policies"][request["name"]] = request["policy"]
    elif op == "policy_info":
        if request["name"] not in iam["policies"]:
            raise Failure(404, "The canned policy does not exist.")
        return iam["policies"][request["name"]]
    elif op == "attach_policy":
        if request["name"] not in iam["policies"]:
            raise Failure(404, "The canned policy does not exist.")
        user = iam["users"].get(request["user"])
        if user is None:
            raise Failure(404, "The specified user does not exist.")
        if request["name"] not in user["policies"]:
            user["policies"].append(request["name"])
    elif op == "admin_info":
        return admin_info()
    else:
        raise Failure(400, f"the lab stand-in does not know {op}")
    save(iam)
    return True


class Handler(BaseHTTPRequestHandler):
    def reply(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/minio/health/live":
            return self.reply(200, {"live": True})
        return self.reply(404, {"error": "the lab stand-in serves no S3"})

    def do_POST(self):
        header = self.headers.get("authorization", "")
        try:
            access, secret = base64.b64decode(header.removeprefix("StandIn ")).decode().split(":", 1)
        except Exception:
            return self.reply(403, {"error": "Access Denied."})
        users = load()["users"]
        if (access, secret) == ROOT:
            who = None
        elif access in users and users[access]["secretKey"] == secret:
            who = users[access]
        elif access in users or access == ROOT[0]:
            return self.reply(403, {"error": "The request signature we calculated does not match the signature you provided. Check your key and signing method."})
        else:
            return self.reply(403, {"error": "The Access Key Id you provided does not exist in our records."})
        request = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))) or b"{}")
        try:
            return self.reply(200, {"result": handle(who, request)})
        except Failure as failure:
            return self.reply(failure.code, {"error": str(failure)})


print(f"lab stand-in for MinIO: serving {DRIVE} on {address}, {len(endpoints)} drives in the deployment", flush=True)
host, port = address.rsplit(":", 1)
ThreadingHTTPServer((host, int(port)), Handler).serve_forever()
