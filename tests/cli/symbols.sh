#!/usr/bin/env bash
# mqscope owns the seam to the broker without standing in for anyone else's functions: it defines
# no C library, OpenSSL or assert function (read, write, recv, SSL_read, SSL_write,
# __assert_fail...) and jumps nowhere (no setjmp or longjmp).
. "$(dirname "$0")/../lib.sh"

command -v nm >/dev/null || fail "nm is not installed (binutils)"
# Global definitions only: a static function of the same name stands in for nothing.
defined=$(nm --defined-only "$MQSCOPE" | awk '$2 ~ /^[TW]$/ { print $3 }')
for f in read write recv send readv writev SSL_read SSL_read_ex SSL_write SSL_write_ex \
	__assert_fail __assert_perror_fail; do
	grep -qx -- "$f" <<<"$defined" && fail "mqscope defines $f()"
done
nm "$MQSCOPE" | grep -qE ' U _?(_?setjmp|longjmp|siglongjmp|__longjmp_chk)' &&
	fail "mqscope uses setjmp/longjmp"
log "no C library, OpenSSL or assert function defined; no setjmp or longjmp"
pass
