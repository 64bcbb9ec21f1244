#!/usr/bin/env bash
# mqscope.1 and --help agree: the same options, with the same arguments and the same help text,
# in the same groups; the KEYS section lists every action of every key mode of
# include/mqscope/actions.h under its mode, with its keys, help and name; and groff renders the
# page without a warning.
set -u
MQSCOPE=${MQSCOPE:?set MQSCOPE to the mqscope binary}
MAN=${MQSCOPE_MAN:?set MQSCOPE_MAN to the generated mqscope.1}

warnings=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
if [ -n "$warnings" ]; then
	echo "[man] FAIL: groff warns: $warnings"
	exit 1
fi
help=$("$MQSCOPE" --help) || { echo "[man] FAIL: --help failed"; exit 1; }
# One very long line per paragraph, no hyphenation: the text can be compared as it is.
page=$(groff -man -Tutf8 -rLL=400n -rHY=0 -P -cbou "$MAN" 2>/dev/null) ||
	{ echo "[man] FAIL: groff"; exit 1; }

ACTIONS_H="${MQSCOPE_TESTS:-$(dirname "$0")}/../include/mqscope/actions.h" \
HELP="$help" PAGE="$page" python3 - <<'PY'
import os, re, sys

def from_help(text):
    """(group, option, argument, help) from --help."""
    out, group, pending = [], None, None
    for line in text.splitlines():
        m = re.match(r"^(\S.*):$", line)
        if m:
            group = m.group(1)
            continue
        m = re.match(r"^  (?:-(\S), )?\s*--(\S+)(?: (\S+))?(?:\s{2,}(.*))?$", line)
        if m and group:
            if m.group(4) is None:
                pending = (group, m.group(2), m.group(3))
            else:
                out.append((group, m.group(2), m.group(3), m.group(4).strip()))
            continue
        if pending and line.startswith("  ") and line.strip():
            out.append(pending + (line.strip(),))
            pending = None
    return out

def from_page(text):
    """The same, from the OPTIONS section of the rendered page."""
    out, group, in_opts, opt = [], None, False, None
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Z ]+$", line):
            in_opts = line == "OPTIONS"
            continue
        if not in_opts:
            continue
        m = re.match(r"^   (\S.*)$", line)
        if m:
            group = m.group(1)
            continue
        # A short tag shares its line with the text ("--demo start a..."); arguments are capitals.
        m = re.match(r"^       (?:-(\S), )?--(\S+)(?: ([A-Z]\S*))?(?:\s+(\S.*))?$", line)
        if m:
            opt = (group, m.group(2), m.group(3))
            if m.group(4):
                out.append(opt + (m.group(4).strip().rstrip("."),))
                opt = None
            continue
        if opt and line.strip():
            out.append(opt + (line.strip().rstrip("."),))
            opt = None
    return out

h, p = from_help(os.environ["HELP"]), from_page(os.environ["PAGE"])
if len(h) < 30:
    sys.exit(f"[man] FAIL: only {len(h)} options read from --help")
if h != p:
    for a, b in zip(h, p):
        if a != b:
            print(f"[man] --help: {a}\n[man] page:   {b}")
            break
    sys.exit(f"[man] FAIL: --help has {len(h)} options, the man page {len(p)}, and they differ")
print(f"[man] {len(h)} options agree")

def c_strings(text):
    """The value of adjacent C string literals."""
    return "".join(bytes(m, "utf-8").decode("unicode_escape")
                   for m in re.findall(r'"((?:[^"\\]|\\.)*)"', text))

src = open(os.environ["ACTIONS_H"]).read().replace("\\\n", " ")
src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
def macro(name):
    m = re.search(r"#define " + name + r"\(X\)(.*?)\n", src)
    if not m:
        sys.exit(f"[man] FAIL: no {name} in actions.h")
    return m.group(1)

modes = [(i, c_strings(t)) for i, t in
         re.findall(r'X\((\w+),\s*(?:NULL|"[^"]*"),\s*((?:"(?:[^"\\]|\\.)*"\s*)+),', macro("MQS_MODES"))]
lit = r'((?:"(?:[^"\\]|\\.)*"\s*)+)'
actions = [("MAIN",) + m for m in
           re.findall(r'X\(\w+,\s*' + lit + r',\s*' + lit + r',\s*' + lit + r',', macro("MQS_ACTIONS"))]
actions += re.findall(r'X\((\w+),\s*\w+,\s*' + lit + r',\s*' + lit + r',\s*' + lit + r'\)',
                      macro("MQS_MODE_ACTIONS"))
if len(modes) < 10 or len(actions) < 60:
    sys.exit(f"[man] FAIL: read only {len(modes)} modes and {len(actions)} actions from actions.h")

page = os.environ["PAGE"]
for a, b in (("\u2010", "-"), ("\u2212", "-"), ("\u2019", "'"), ("\u2018", "'")):
    page = page.replace(a, b)
keys = re.search(r"^KEYS$(.*?)^[A-Z][A-Z ]+$", page, flags=re.S | re.M)
if not keys:
    sys.exit("[man] FAIL: no KEYS section")
flat = " ".join(keys.group(1).split())
starts, at = [], 0
for mode, title in modes:
    at = flat.find(" " + title + " ", at)
    if at < 0:
        sys.exit(f"[man] FAIL: no subsection '{title}' in KEYS, in the order of MQS_MODES")
    starts.append((at, mode))
    at += 1
bounds = {m: (at, starts[i + 1][0] if i + 1 < len(starts) else len(flat))
          for i, (at, m) in enumerate(starts)}
for mode, name, keys_, help_ in actions:
    entry = f"{c_strings(keys_)} {c_strings(help_)} ({c_strings(name)})."
    lo, hi = bounds[mode]
    if flat.find(entry, lo, hi) < 0:
        sys.exit(f"[man] FAIL: KEYS lacks, under its mode {mode}: {entry}")
print(f"[man] {len(actions)} actions in {len(modes)} modes listed")
PY
rc=$?
[ $rc = 0 ] && echo "[man] PASS"
exit $rc
