#!/usr/bin/env python3
"""leftovers.py: processes a test or the suite started that are still running.

    leftovers.py NAME=VALUE [--wait SECONDS] [--stop]

Every process the suite starts inherits a marker in its environment: tests/run exports
MQSCOPE_SUITE_MARK, tests/lib.sh exports MQSCOPE_TEST_MARK, each with a value unique to the run
(brokers, tmux servers, mqscope and the demo broker it starts, publishers all inherit it). An
unrelated process cannot carry the value, so nothing else is ever blamed or stopped.

Waits up to SECONDS (default 0) for every process bearing NAME=VALUE to end, leaving out this
script and its ancestors (the shell that asks) and zombies. Prints what is left, one line each
(PID, parent, working directory, command line); with --stop it ends them by PID (SIGTERM, then
SIGKILL). Exit status: 0 when none was left, 1 when some were, 2 for bad usage.
"""

import os
import signal
import sys
import time


def read(path, mode="rb"):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError:
        return None


def stat_fields(pid):
    """(state, ppid) from /proc/PID/stat, or None once it is gone."""
    s = read(f"/proc/{pid}/stat", "r")
    if s is None:
        return None
    rest = s[s.rfind(")") + 2:].split()  # the command name may hold spaces and parentheses
    return rest[0], int(rest[1])


def ancestors():
    out, pid = set(), os.getpid()
    while pid > 1:
        out.add(pid)
        f = stat_fields(pid)
        if f is None:
            break
        pid = f[1]
    return out


def marked(mark, skip):
    """PIDs of live processes whose environment holds mark."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in skip:
            continue
        pid = int(name)
        env = read(f"/proc/{pid}/environ")
        if not env or mark not in env.split(b"\0"):
            continue
        f = stat_fields(pid)
        if f is None or f[0] in ("Z", "X"):
            continue
        out.append(pid)
    return sorted(out)


def describe(pid):
    cmd = read(f"/proc/{pid}/cmdline") or b""
    cmd = cmd.rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace")
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        cwd = "?"
    f = stat_fields(pid)
    return f"PID {pid} (parent {f[1] if f else '?'}, in {cwd}): {cmd[:300]}"


def main(argv):
    if not argv or "=" not in argv[0]:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    mark = argv[0].encode()
    wait, stop = 0.0, False
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--wait" and args:
            wait = float(args.pop(0))
        elif a == "--stop":
            stop = True
        else:
            print(f"leftovers.py: unknown argument {a}", file=sys.stderr)
            return 2
    skip = ancestors()
    deadline = time.monotonic() + wait
    left = marked(mark, skip)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = marked(mark, skip)
    if not left:
        return 0
    for pid in left:
        print(describe(pid))
    if stop:
        for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
            for pid in left:
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
            end = time.monotonic() + grace
            while left and time.monotonic() < end:
                time.sleep(0.05)
                left = [p for p in left if p in marked(mark, skip)]
            if not left:
                break
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
