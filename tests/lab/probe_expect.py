"""probe_expect.py - check one result of krbprobe --json output.

python3 probe_expect.py FILE INDEX CHECK...: each CHECK is KEY=VALUE,
KEY=null or KEY~SUBSTRING on results[INDEX]. Prints why and exits 1 when
the output is not krbprobe's JSON or a check fails."""
import json
import sys

path, index, checks = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
raw = open(path, "rb").read()
if b"\r" in raw:
    print("a CR in the JSON output: standard output is not in binary mode")
    sys.exit(1)
try:
    doc = json.loads(raw.decode("utf-8"))
except ValueError as e:
    print(f"not JSON: {e}: {raw[:300]!r}")
    sys.exit(1)
if doc.get("schema_version") != 1 or doc.get("tool") != "krbprobe":
    print(f"bad header: {doc}")
    sys.exit(1)
res = doc["results"][index]
keys = ["target", "spn", "realm", "verdict", "reason", "detail", "etype"]
if list(res) != keys:
    print(f"members {list(res)} are not {keys}")
    sys.exit(1)
bad = []
for c in checks:
    if "~" in c and ("=" not in c or c.index("~") < c.index("=")):
        k, v = c.split("~", 1)
        if res[k] is None or v not in res[k]:
            bad.append(f"{k}: {res[k]!r} lacks {v!r}")
    else:
        k, v = c.split("=", 1)
        want = None if v == "null" else v
        if res[k] != want:
            bad.append(f"{k}: {res[k]!r} is not {want!r}")
if bad:
    print("; ".join(bad))
    print(json.dumps(res))
    sys.exit(1)
