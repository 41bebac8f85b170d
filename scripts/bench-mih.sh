#!/bin/sh
# bench-mih.sh measures the PDQ nearest-neighbour index (package mih) against
# a linear scan on synthetic hashes: build time, memory per hash, and
# queries/s with p50/p99 latency at radius 31 for random and near-duplicate
# queries.
#
# Usage: scripts/bench-mih.sh [N ...] [-- benchmih flags]
#   scripts/bench-mih.sh                 # N = 1,000,000
#   scripts/bench-mih.sh 1000000 10000000
#   scripts/bench-mih.sh 1000000 -- -queries 50000 -linear-queries 500
#
# The 10M run needs about 4 GiB of RAM (index, linear scan, and the data
# they are built from) and a few minutes.
set -eu
cd "$(dirname "$0")/.."

sizes=""
while [ $# -gt 0 ]; do
	case "$1" in
	--) shift; break ;;
	-h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*[!0-9]*|"") echo "bench-mih.sh: N must be a whole number, got '$1'" >&2; exit 2 ;;
	*) sizes="$sizes $1"; shift ;;
	esac
done
[ -n "$sizes" ] || sizes=1000000

bin=$(mktemp -d)/benchmih
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./mih/internal/benchmih
for n in $sizes; do
	echo "== N = $n"
	"$bin" -n "$n" "$@"
	echo
done
