#!/usr/bin/env python3
"""conn_log.py: reads mqscope's connection log overlay from a screen capture (stdin).

Prints, oldest first, one "WAIT/GAP" pair per loss or failure that another attempt followed:
WAIT is the wait before the next attempt that mqscope chose ("next attempt in 2s": 2000), GAP
the milliseconds from the loss to the next attempt's outcome ("connected", or "failed" for a
broker that never accepts), both by mqscope's own clock (the times at the start of each event).
Standard library only.
"""

import re
import sys

EVENT = re.compile(r"^\s*(\d\d):(\d\d):(\d\d)\.(\d{3})\s{2}(.*)$")
WAIT = re.compile(r"next attempt in (?:(\d+)m ?)?(\d+)s")


def events(lines):
    """(ms since midnight, text) of every event on screen, newest first as drawn."""
    out = []
    for line in lines:
        first, last = line.find("│"), line.rfind("│")
        if first < 0 or last <= first:
            continue
        inner = line[first + 1:last]
        m = EVENT.match(inner)
        if m:
            h, mi, s, ms = (int(x) for x in m.groups()[:4])
            out.append([((h * 60 + mi) * 60 + s) * 1000 + ms, m.group(5).strip()])
        elif out and inner.strip():
            out[-1][1] += " " + inner.strip()  # a long event wraps onto the next rows
    return out


def main():
    ev = list(reversed(events(sys.stdin.read().splitlines())))
    pairs = []
    for i, (t, text) in enumerate(ev):
        w = WAIT.search(text)
        if not (text.startswith("lost") or text.startswith("failed")) or not w:
            continue
        wait = (int(w.group(1) or 0) * 60 + int(w.group(2))) * 1000
        for t2, text2 in ev[i + 1:]:
            # The next attempt's outcome: connected, or failed before the broker accepted it.
            if text2.startswith("connected") or text2.startswith("failed"):
                gap = t2 - t
                if gap < 0:
                    gap += 86400000  # past midnight
                pairs.append(f"{wait}/{gap}")
                break
    print(" ".join(pairs))


if __name__ == "__main__":
    main()
