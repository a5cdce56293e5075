#!/usr/bin/python3
# LAB STAND-IN for the MinIO client mc (RELEASE.2023-10-24), used by wire-install's lab tests:
# NOT mc. It sits where wire-install puts the bundle's mc build (/usr/local/bin/mc) and takes the
# commands wire-install runs, with mc's syntax and --json output shapes: ls, mb, anonymous
# get/set, admin user add/list (keys read from stdin when not given, as mc does), admin policy
# create/info/attach, admin info. Its --json records carry the fields real mc prints for them
# (test/support/mc-json.ts; test/unit/steps/minio-stand-in.test.ts compares the two). Like mc it
# finds a deployment and its keys in the environment (MC_HOST_<alias>=http://KEY:SECRET@HOST:PORT)
# and talks to the stand-in minio server.
import base64
import json
import os
import sys
import urllib.error
import urllib.request
from urllib.parse import unquote, urlsplit


def fail(message):
    print(f"mc: <ERROR> {message}", file=sys.stderr)
    sys.exit(1)


argv = sys.argv[1:]
if "--version" in argv or "-v" in argv:
    print("mc version RELEASE.2023-10-24T05-18-28Z (lab stand-in for mc, not mc)")
    sys.exit(0)
as_json = "--json" in argv
user_flag = None
if "--user" in argv:
    user_flag = argv[argv.index("--user") + 1]
    del argv[argv.index("--user"):argv.index("--user") + 2]
words = [a for a in argv if not a.startswith("--")]


def target(path):
    alias, _, bucket = path.partition("/")
    url = os.environ.get(f"MC_HOST_{alias}")
    if not url:
        fail(f"Unable to find alias `{alias}`: no MC_HOST_{alias} in the environment (the stand-in keeps no config).")
    parts = urlsplit(url)
    keys = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
    return f"{parts.scheme}://{parts.hostname}:{parts.port}", keys, bucket.strip("/")


def call(path, op, **fields):
    base, keys, bucket = target(path)
    body = json.dumps({"op": op, "bucket": bucket, **fields}).encode()
    request = urllib.request.Request(f"{base}/stand-in/mc", data=body, method="POST")
    request.add_header("authorization", "StandIn " + base64.b64encode(keys.encode()).decode())
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)["result"]
    except urllib.error.HTTPError as error:
        try:
            message = json.load(error)["error"]
        except Exception:
            message = f"HTTP {error.code}"
        fail(message)
    except Exception as error:
        fail(f"Unable to reach {base}: {error}")


def out(text, data):
    print(json.dumps({"status": "success", **data}) if as_json else text)


command, rest = words[:1], words[1:]
if command == ["admin"] and rest:
    command.append(rest.pop(0))
    if command[1] in ("user", "policy") and rest:
        command.append(rest.pop(0))

if command == ["ls"]:
    base, _, bucket = target(rest[0])
    if bucket:
        for key in call(rest[0], "list_objects"):
            out(key, {"type": "file", "key": key})
    else:
        for name in call(rest[0], "list_buckets"):
            out(f"[2023-07-07 00:00:00 UTC]     0B {name}/", {"type": "folder", "lastModified": "2023-07-07T00:00:00Z", "size": 0, "key": f"{name}/", "etag": "", "url": base, "versionOrdinal": 1})
elif command == ["mb"]:
    call(rest[0], "make_bucket")
    out(f"Bucket created successfully `{rest[0]}`.", {"bucket": rest[0]})
elif command == ["anonymous"] and rest[:1] == ["get"]:
    permission = call(rest[1], "get_anonymous")
    out(f"Access permission for `{rest[1]}` is `{permission}`", {"operation": "get", "bucket": rest[1], "permission": permission})
elif command == ["anonymous"] and rest[:1] == ["set"]:
    call(rest[2], "set_anonymous", permission=rest[1])
    out(f"Access permission for `{rest[2]}` is set to `{rest[1]}`", {"operation": "set", "bucket": rest[2], "permission": rest[1]})
elif command == ["admin", "user", "add"]:
    # As mc's fetchUserKeys: what is not an argument is read from stdin, access key first.
    keys = rest[1:3]
    while len(keys) < 2:
        keys.append(sys.stdin.readline().rstrip("\n"))
    call(rest[0], "add_user", accessKey=keys[0], secretKey=keys[1])
    out(f"Added user `{keys[0]}` successfully.", {"accessKey": keys[0], "secretKey": keys[1], "userStatus": "enabled"})
elif command == ["admin", "user", "list"]:
    for user in call(rest[0], "list_users"):
        # As mc: policyName is left out when no policy is attached (omitempty).
        record = {key: value for key, value in user.items() if value != ""}
        out(f"{user['userStatus']}  {user['accessKey']}  {user['policyName']}", record)
elif command == ["admin", "policy", "create"]:
    with open(rest[2], encoding="utf-8") as text:
        policy = json.load(text)
    call(rest[0], "create_policy", name=rest[1], policy=policy)
    out(f"Created policy `{rest[1]}` successfully.", {"policy": rest[1]})
elif command == ["admin", "policy", "info"]:
    policy = call(rest[0], "policy_info", name=rest[1])
    dates = {"CreateDate": "2023-07-07T00:00:00Z", "UpdateDate": "2023-07-07T00:00:00Z"}
    out(json.dumps(policy, indent=1), {"policy": rest[1], "policyInfo": {"PolicyName": rest[1], "Policy": policy, **dates}, "isGroup": False})
elif command == ["admin", "policy", "attach"]:
    if not user_flag:
        fail("--user or --group is required")
    call(rest[0], "attach_policy", name=rest[1], user=user_flag)
    out(f"Attached Policies: [{rest[1]}]", {"policiesAttached": [rest[1]]})
elif command == ["admin", "info"]:
    info = call(rest[0], "admin_info")
    out("\n".join(f"{s['endpoint']} {s['state']}" for s in info["servers"]), {"info": info})
else:
    fail(f"the lab stand-in for mc does not know `{' '.join(words)}`")
