#!/usr/bin/env bash
# Measures PDQ hashing speed.
#
#  1. ns/op and allocations of the Go benchmarks: the hash from decoded
#     pixels (BenchmarkHash, 1024x1024, both resize modes), the fixed cost
#     from 64x64, the eight dihedral hashes, and decode + hash end to end on
#     a generated 1024x1024 JPEG and PNG (BenchmarkHashReader).
#  2. images/s of `marsad hash` over the upstream test photos
#     (../shared/data/pdq-threatexchange/images, every JPEG but the CMYK one,
#     repeated ROUNDS times), on one core and on all cores.
#  3. If PDQ_REFERENCE names a pdq-photo-hasher binary (Meta's C++
#     reference, built separately), the same files through it, one process
#     (it is single-threaded) and one process per core.
#
# Wall time depends on what else the machine runs; the CPU seconds column
# (user + system) is the steadier figure on a shared machine.
#
# Usage: scripts/bench-pdq.sh   (env: ROUNDS=5 BENCHTIME=1s PDQ_REFERENCE=)
set -euo pipefail
cd "$(dirname "$0")/.."

data=../shared/data/pdq-threatexchange/images
rounds=${ROUNDS:-5}
cores=$(getconf _NPROCESSORS_ONLN)

echo "== Go benchmarks (ns/op, B/op, allocs/op)"
go test -run '^$' -bench '^Benchmark(Hash|Hash64|Dihedral|HashReader)$' -benchmem -benchtime "${BENCHTIME:-1s}" ./pdq/ |
	grep -E '^(Benchmark|cpu:)'

if [ ! -d "$data" ]; then
	echo "test photos absent ($data); skipping images/s" >&2
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/marsad" ./cmd/marsad

mapfile -t files < <(find "$data" -type f \( -name '*.jpg' -o -name '*.jpeg' \) ! -name 'CMYK.jpg' | sort)
args=()
for ((i = 0; i < rounds; i++)); do args+=("${files[@]}"); done
n=${#args[@]}
printf '%s\n' "${args[@]}" >"$tmp/list"

# measure LABEL COMMAND...: runs COMMAND with stdout discarded and prints
# images/s by wall time and by CPU time.
measure() {
	local label=$1
	shift
	local TIMEFORMAT='%R %U %S'
	{ time "$@" >/dev/null; } 2>"$tmp/time"
	read -r real user sys <"$tmp/time"
	awk -v l="$label" -v n="$n" -v r="$real" -v u="$user" -v s="$sys" 'BEGIN {
		printf "%-34s %5d images  wall %7.2fs  %7.1f images/s   CPU %7.2fs  %6.1f images/CPU-s\n", l, n, r, n / r, u + s, n / (u + s) }'
}

echo
echo "== $n photos (${#files[@]} files x $rounds), $cores cores"
measure "marsad hash, 1 core" env GOMAXPROCS=1 "$tmp/marsad" hash -j 1 "${args[@]}"
measure "marsad hash, all cores" "$tmp/marsad" hash "${args[@]}"
if [ -n "${PDQ_REFERENCE:-}" ]; then
	measure "reference, 1 process" "$PDQ_REFERENCE" "${args[@]}"
	measure "reference, $cores processes" xargs -P "$cores" -n $(((n + cores - 1) / cores)) "$PDQ_REFERENCE" <"$tmp/list"
fi
