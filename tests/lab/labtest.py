"""labtest.py - a small TAP harness for the lab tests: run a built tool
inside the lab, check what it printed and how it exited."""
import json
import os
import subprocess
import sys

_count = 0
_failed = 0


def ok(cond, what, detail=""):
    """One TAP line; a failure prints the detail as a TAP comment."""
    global _count, _failed
    _count += 1
    if cond:
        print(f"ok {_count} - {what}")
    else:
        _failed += 1
        print(f"not ok {_count} - {what}")
        for line in str(detail).splitlines()[:40]:
            print(f"# {line}")
    sys.stdout.flush()
    return cond


# The built tools; SPNKIT_TEST_WRAPPER (e.g. "valgrind --error-exitcode=9
# ...") goes in front of the first of them in an argv, after faketime and
# the like, so the lab suites can run the tools under a checker.
TOOLS = ("spncheck", "krbprobe")


def wrapped(argv):
    """argv with SPNKIT_TEST_WRAPPER put in front of the built tool."""
    wrapper = os.environ.get("SPNKIT_TEST_WRAPPER", "").split()
    if not wrapper:
        return list(argv)
    for i, arg in enumerate(argv):
        if os.path.basename(str(arg)) in TOOLS:
            return list(argv[:i]) + wrapper + list(argv[i:])
    return list(argv)


def run(argv, env=None, timeout=120, stdin=None):
    """Run argv; return (exit code, stdout, stderr) as text."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    argv = wrapped(argv)
    p = subprocess.run(argv, capture_output=True, env=full_env,
                       timeout=timeout, input=stdin)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def run_json(argv, **kw):
    """Run argv and parse its standard output as one JSON object."""
    rc, out, err = run(argv, **kw)
    try:
        doc = json.loads(out)
    except ValueError as e:
        doc = None
        ok(False, f"{' '.join(argv[1:])} prints valid JSON",
           f"{e}\nstdout: {out[:2000]}\nstderr: {err}")
    return rc, doc, err


def done():
    """Print the plan and exit 1 when anything failed."""
    print(f"1..{_count}")
    sys.exit(1 if _failed or _count == 0 else 0)
