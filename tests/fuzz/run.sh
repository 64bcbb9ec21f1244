#!/usr/bin/env bash
# Runs a fuzz harness for the test suite.
#   run.sh inputs EXE CORPUS REGRESS         every seed and past crash once, as plain inputs
#   run.sh fuzz EXE CORPUS REGRESS WORKDIR SECONDS
#                                            libFuzzer for SECONDS from the seeds and past
#                                            crashes; what it finds goes to WORKDIR, a crash
#                                            input next to it
set -uo pipefail

mode=$1
exe=$2
corpus=$3
name=$(basename "$corpus")
# Harnesses whose input is JSON or libconfig text start with the tokens of that syntax.
case $name in
toggle | payload | replay | view | treeview) dict="$(dirname "$0")/dict/json.dict" ;;
config | theme | saved) dict="$(dirname "$0")/dict/config.dict" ;;
*) dict= ;;
esac

case $mode in
inputs)
	regress=$4
	files=()
	for d in "$corpus" "$regress"; do
		[ -d "$d" ] || continue
		while IFS= read -r -d '' f; do
			files+=("$f")
		done < <(find "$d" -type f -print0 | sort -z)
	done
	if [ ! -d "$corpus" ] || [ ${#files[@]} -eq 0 ]; then
		echo "no seed corpus in $corpus" >&2
		exit 1
	fi
	echo "$name: ${#files[@]} inputs"
	# Batches keep the command line short; each file runs once.
	for ((i = 0; i < ${#files[@]}; i += 200)); do
		"$exe" -close_fd_mask=1 "${files[@]:i:200}" >/dev/null || {
			echo "$name: an input in this batch fails: ${files[*]:i:200}" >&2
			exit 1
		}
	done
	;;
fuzz)
	regress=$4
	workdir=$5
	seconds=$6
	mkdir -p "$workdir"
	args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=1
		-print_final_stats=1 -artifact_prefix="$workdir/../$name-")
	[ -n "$dict" ] && args+=(-dict="$dict")
	dirs=("$workdir" "$corpus")
	[ -d "$regress" ] && dirs+=("$regress")
	# New inputs go to the first directory, the build's; the repository's stay as they are.
	if ! "$exe" "${args[@]}" "${dirs[@]}"; then
		echo "$name: libFuzzer found a failure; the input is $workdir/../$name-*." >&2
		echo "Fix it and keep the input as tests/fuzz/regress/$name/<what-it-was>." >&2
		exit 1
	fi
	;;
*)
	echo "usage: run.sh inputs|fuzz ..." >&2
	exit 2
	;;
esac
