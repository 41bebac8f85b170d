#!/usr/bin/env bash
# Measures PDQ hashing speed.
#
#  1. ns/op and allocations of the Go benchmarks: the hash from decoded
#     pixels (BenchmarkHash, 1024x1024, both resize modes), the fixed cost
#     from 64x64, the eight dihedral hashes, and decode + hash end to end on
#     a generated 1024x1024 JPEG and PNG (BenchmarkHashReader).
#  2. images/s of `marsad hash` over the upstream test photos
#     (../shared/data/pdq-threatexchange/images, every JPEG but the CMYK one,
#     repeated ROUNDS times), on one core and on all cores, in the default
#     (fast JPEG) mode and with --exact.
#  3. The same files through Meta's C++ reference pdq-photo-hasher, one
#     process (it is single-threaded) and one process per core, in the same
#     run. PDQ_REFERENCE names a built binary; otherwise the script builds
#     one from PDQ_REFERENCE_SRC, a ThreatExchange checkout or bare git
#     repository (default ../.mirror/facebook+ThreatExchange/repo), with
#     g++ -O3, CImg and the system libjpeg and libpng, as upstream's
#     Makefile does with CImg's JPEG and PNG support switched on.
#
# The runs alternate marsad and the reference (ROUNDS files each), so that
# a change in the machine's load falls on both.
#
# Wall time depends on what else the machine runs; the CPU seconds column
# (user + system) is the steadier figure on a shared machine.
#
# Usage: scripts/bench-pdq.sh
#   env: ROUNDS=5 BENCHTIME=1s PDQ_REFERENCE= PDQ_REFERENCE_SRC= REPEAT=3
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

ref=$(PDQ_REFERENCE_DIR=$tmp/ref scripts/pdq-reference.sh)

mapfile -t files < <(find "$data" -type f \( -name '*.jpg' -o -name '*.jpeg' \) ! -name 'CMYK.jpg' | sort)
args=()
for ((i = 0; i < rounds; i++)); do args+=("${files[@]}"); done
n=${#args[@]}
printf '%s\n' "${args[@]}" >"$tmp/list"

# measure LABEL COMMAND...: runs COMMAND with stdout discarded and adds
# its wall and CPU (user + system) seconds to the label's totals.
declare -A wall cpu
measure() {
	local label=$1
	shift
	local TIMEFORMAT='%R %U %S'
	{ time "$@" >/dev/null; } 2>"$tmp/time"
	read -r real user sys <"$tmp/time"
	wall[$label]=$(awk -v a="${wall[$label]:-0}" -v b="$real" 'BEGIN { print a + b }')
	cpu[$label]=$(awk -v a="${cpu[$label]:-0}" -v b="$user" -v c="$sys" 'BEGIN { print a + b + c }')
}

repeat=${REPEAT:-3}
labels=("marsad hash, 1 core" "marsad hash --exact, 1 core" "marsad hash, $cores cores" "marsad hash --exact, $cores cores")
[ -n "$ref" ] && labels+=("reference, 1 process" "reference, $cores processes")
echo
echo "== $n photos (${#files[@]} files x $rounds), $cores cores, each measured $repeat times, interleaved; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 0; r < repeat; r++)); do
	measure "${labels[0]}" env GOMAXPROCS=1 "$tmp/marsad" hash -j 1 "${args[@]}"
	[ -n "$ref" ] && measure "reference, 1 process" "$ref" "${args[@]}"
	measure "${labels[1]}" env GOMAXPROCS=1 "$tmp/marsad" hash -j 1 --exact "${args[@]}"
	measure "${labels[2]}" "$tmp/marsad" hash "${args[@]}"
	[ -n "$ref" ] && measure "reference, $cores processes" xargs -P "$cores" -n $(((n + cores - 1) / cores)) "$ref" <"$tmp/list"
	measure "${labels[3]}" "$tmp/marsad" hash --exact "${args[@]}"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
total=$((n * repeat))
for l in "${labels[@]}"; do
	awk -v l="$l" -v n="$total" -v w="${wall[$l]}" -v c="${cpu[$l]}" 'BEGIN {
		printf "%-34s wall %7.2fs %7.1f images/s   CPU %7.2fs %7.1f images/CPU-s\n", l, w, n / w, c, n / c }'
done
if [ -n "$ref" ]; then
	awk -v a="${wall[${labels[0]}]}" -v b="${wall[reference, 1 process]}" -v c="${cpu[${labels[0]}]}" -v d="${cpu[reference, 1 process]}" 'BEGIN {
		printf "marsad (default) / reference, one core: %.2fx by wall time, %.2fx by CPU time\n", b / a, d / c }'
	awk -v a="${wall[${labels[2]}]}" -v b="${wall[reference, $cores processes]}" -v l="$cores" 'BEGIN {
		printf "marsad (default) / reference, %s cores: %.2fx by wall time\n", l, b / a }'
fi
