#!/usr/bin/env bash
# Every file mqscope reads is read with a bound checked while reading: a replay of one 600 MiB line
# fails with a clear error and stays under 100 MB of memory; --replay /dev/zero, a config file and
# a theme that are /dev/zero fail cleanly instead of growing until memory runs out.
. "$(dirname "$0")/../lib.sh"

export XDG_CONFIG_HOME="$T_DIR/xdg" HOME="$T_DIR"
mkdir -p "$XDG_CONFIG_HOME/mqscope/themes"

# on_tty ARGS...: runs mqscope on a pseudo-terminal (the UI needs one), at most 60 s; prints its
# exit status and peak resident set (kB); its stderr goes to $T_DIR/err. Without
# MALLOC_PERTURB_ (meson sets it): it fills every allocation, so memory never used would count.
on_tty() {
	env -u MALLOC_PERTURB_ python3 - "$MQSCOPE" "$@" 2>"$T_DIR/err" <<'EOF'
import os, pty, resource, subprocess, sys
m, s = pty.openpty()
try:
    p = subprocess.run(sys.argv[1:], stdin=s, stdout=s, stderr=sys.stderr, timeout=60)
    rc = p.returncode
except subprocess.TimeoutExpired:
    rc = "timeout"
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
EOF
}

sanitized=0
ldd "$MQSCOPE" | grep -qE 'libasan|libtsan' && sanitized=1

# One line of 600 MiB without a newline (a sparse file: no disk space, the same bytes to read).
big=$T_DIR/one-line.jsonl
printf '{"time":1,"topic":"a","payload":"' >"$big"
truncate -s 600M "$big" || fail "cannot make a 600 MiB file"
read -r rc rss < <(on_tty --replay "$big")
rm -f "$big"
log "--replay of a 600 MiB line: exit $rc, peak RSS $((rss / 1024)) MB: $(cat "$T_DIR/err")"
[ "$rc" = 1 ] || fail "exit status $rc"
grep -q "cannot replay $big: line 1 is longer than 64.0 MiB (not a recording?)" "$T_DIR/err" ||
	fail "message: $(cat "$T_DIR/err")"
# (Sanitizers add their own memory; the bound is the same code.)
if [ $sanitized = 0 ] && [ "$rss" -ge 100000 ]; then
	fail "peak RSS $rss kB for a 600 MiB line"
fi

# /dev/zero never ends: the line bound ends it.
read -r rc rss < <(on_tty --replay /dev/zero)
[ "$rc" = 1 ] && grep -q "cannot replay /dev/zero: line 1 is longer than 64.0 MiB" "$T_DIR/err" ||
	fail "--replay /dev/zero: exit $rc, $(cat "$T_DIR/err")"

# A config file or a theme that never ends: an error with the bound, exit 2.
read -r rc rss < <(on_tty --config /dev/zero)
[ "$rc" = 2 ] && grep -q "mqscope: /dev/zero: larger than 16.0 MiB" "$T_DIR/err" ||
	fail "--config /dev/zero: exit $rc, $(cat "$T_DIR/err")"
ln -s /dev/zero "$XDG_CONFIG_HOME/mqscope/themes/endless.theme"
read -r rc rss < <(on_tty --theme endless -h 127.0.0.1)
[ "$rc" = 2 ] && grep -q "endless.theme: larger than 1.0 MiB" "$T_DIR/err" ||
	fail "--theme endless: exit $rc, $(cat "$T_DIR/err")"
"$MQSCOPE" pub --config /dev/zero -t a -m b 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "/dev/zero: larger than 16.0 MiB" "$T_DIR/err" ||
	fail "pub --config /dev/zero: $(cat "$T_DIR/err")"
"$MQSCOPE" sim --config /dev/zero 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "/dev/zero: larger than 16.0 MiB" "$T_DIR/err" ||
	fail "sim --config /dev/zero: $(cat "$T_DIR/err")"
# @include would read a file past the bound: refused with file:line.
printf 'ui = { fps = 10; };\n@include "/dev/zero"\n' >"$T_DIR/inc.conf"
"$MQSCOPE" pub --config "$T_DIR/inc.conf" -t a -m b 2>"$T_DIR/err"
[ $? = 2 ] && grep -q "inc.conf:2: @include is not supported" "$T_DIR/err" ||
	fail "@include: $(cat "$T_DIR/err")"
pass
