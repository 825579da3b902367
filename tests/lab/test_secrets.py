"""test_secrets.py - no key or password in what the tools print, even with
-vv (which adds libkrb5's trace), and a warning for a keytab that others
can read.

Key material looked for in stdout and stderr: every key in the keytab (from
klist -kK) as hex in either case, as base64 and as raw bytes, 4-byte pieces
of each included; the keytab file itself in 16-byte pieces (hex, base64);
the lab's admin and service passwords. MIT krb5 1.20 traces each key as
"<enctype>/<first 4 hex digits of a SHA-256 of the key>"; libspn masks
those digits ("aes256-cts/****"), which is checked too.

Run inside the lab (docker/lab.sh run python3 test_secrets.py SPNCHECK
KRBPROBE)."""
import base64
import os
import re
import subprocess
import sys
import tempfile

from labtest import ok, run, wrapped, done

spncheck, krbprobe = sys.argv[1], sys.argv[2]
lab_dir = os.environ["SPNKIT_LAB_DIR"]
tmp = tempfile.mkdtemp(prefix="spnkit-secrets-")
kt = os.path.join(tmp, "job.keytab")


def pieces(blob, size):
    """Every size-byte window of blob (all of it when shorter)."""
    if len(blob) <= size:
        return [blob]
    return [blob[i:i + size] for i in range(len(blob) - size + 1)]


def secret_forms(blob, size):
    """The ways a piece of blob could show up in text."""
    forms = set()
    for p in pieces(blob, size):
        forms.add(p.hex())
        forms.add(p.hex().upper())
        forms.add(":".join(f"{b:02x}" for b in p))
    # base64 of the whole value and of its 3-byte-aligned pieces
    for start in range(3):
        chunk = blob[start:]
        enc = base64.b64encode(chunk).decode()
        for i in range(0, max(len(enc) - 16, 1), 4):
            forms.add(enc[i:i + 16])
    return {f for f in forms if len(f) >= 8}


def leaks(text_bytes, forms, raw_blobs):
    text = text_bytes.decode("latin-1")
    found = [f for f in forms if f in text]
    found += [repr(b[:8]) for b in raw_blobs if b in text_bytes]
    return found


try:
    p = subprocess.run(["samba-tool", "domain", "exportkeytab", kt,
                        "--principal=svc_web@CORP.TEST", "-s",
                        os.path.join(lab_dir, "etc", "smb.conf")],
                       capture_output=True, text=True)
    ok(p.returncode == 0, "exported a keytab for svc_web", p.stderr)
    os.chmod(kt, 0o600)
    p = subprocess.run(["klist", "-kK", "-e", kt], capture_output=True,
                       text=True)
    keys = [bytes.fromhex(k) for k in re.findall(r"\(0x([0-9a-f]+)\)", p.stdout)]
    ok(len(keys) >= 2, "klist -kK shows the keytab's keys", p.stdout)
    with open(kt, "rb") as f:
        kt_bytes = f.read()
    passwords = []
    for name in ("admin.pass", "service.pass"):
        with open(os.path.join(lab_dir, name), "rb") as f:
            passwords.append(f.read().strip())

    forms = set()
    for k in keys:
        forms |= secret_forms(k, 4)
    forms |= secret_forms(kt_bytes, 16)
    raw_blobs = keys + passwords + pieces(kt_bytes, 16)
    forms |= {pw.decode("latin-1") for pw in passwords}

    env = {"KRB5CCNAME": "FILE:" + os.path.join(tmp, "unused.cc")}
    runs = {
        "spncheck dup -vv -k": [spncheck, "dup", "-vv", "-k", kt,
                                "-p", "svc_web@CORP.TEST"],
        "spncheck all -vv --json -k": [spncheck, "all", "-vv", "--json",
                                       "-k", kt],
        "spncheck list -vv -k": [spncheck, "list", "svc_web", "-vv", "-k", kt],
        "krbprobe -vv -k": [krbprobe, "-vv", "-k", kt, "-p",
                            "svc_web@CORP.TEST", "http/web01.corp.test",
                            "cifs/fs1.corp.test"],
    }
    for what, argv in runs.items():
        pr = subprocess.run(wrapped(argv), capture_output=True,
                            env={**os.environ, **env}, timeout=300)
        out = pr.stdout + pr.stderr
        ok(pr.returncode in (0, 1) and b"krb5: " in pr.stderr,
           f"{what}: ran, with the libkrb5 trace", (pr.returncode, pr.stderr[-800:]))
        found = leaks(out, forms, raw_blobs)
        ok(not found, f"{what}: no key, keytab byte or password in the output",
           found[:10])
        traced = re.findall(rb"(?:aes\d+-(?:cts|sha2)|rc4-hmac|arcfour-hmac|"
                            rb"des3-cbc-sha1|camellia\d+-cts)/(\S{4})", out)
        ok(traced and all(t == b"****" for t in traced),
           f"{what}: the trace's key hashes are masked", traced[:10])
    # the default ccache (as after kinit with the admin password)
    rc, out, err = run([spncheck, "dup", "-vv"])
    found = leaks((out + err).encode(), forms, raw_blobs)
    ok(rc == 1 and not found, "spncheck dup -vv with the admin ccache: no "
       "password or key in the output", (rc, found[:10]))

    # a keytab others can read (or write) is warned about; 0600 is not
    for mode, warned in ((0o644, True), (0o640, True), (0o602, True),
                         (0o600, False), (0o400, False)):
        os.chmod(kt, mode)
        rc, out, err = run([spncheck, "dup", "-k", kt], env=env)
        said = "can be read or written by group or others" in err
        ok(rc == 1 and said == warned,
           f"keytab mode {mode:04o}: {'a warning' if warned else 'no warning'}",
           (rc, err))
finally:
    subprocess.run(["rm", "-rf", tmp])

done()
