#!/usr/bin/env bash
# Prints the text classifier's speed on Arabic posts (posts per second per
# core, explanations included), the model's memory and size on disk, and the
# training time.
# Speed per core is counted per second of CPU time, which stays right when
# other work shares the machine; the wall-clock figure is printed beside it.
# Needs ../shared/data (the staged data sets) beside the repository.
# Usage: scripts/bench-classifier.sh [benchtime]   (default 3s)
set -euo pipefail
cd "$(dirname "$0")/.."
benchtime="${1:-3s}"

out=$(go test -run '^$' -bench '^BenchmarkClassify$' -benchtime "$benchtime" -cpu 1 ./classifier/)
line=$(grep '^BenchmarkClassify' <<<"$out" || true)
if [[ -z "$line" ]]; then
	echo "$out" >&2
	echo "bench-classifier: no benchmark result (is ../shared/data present?)" >&2
	exit 1
fi
echo "$line"
awk '{for (i = 1; i < NF; i++) if ($(i+1) == "posts/cpu-s") printf "classify (Arabic, per core): %.0f posts per CPU-second\n", $i;
      for (i = 1; i < NF; i++) if ($(i+1) == "posts/s") printf "classify (Arabic, 1 goroutine, wall clock): %.0f posts/s\n", $i;
      for (i = 1; i < NF; i++) if ($(i+1) == "allocs/op") printf "allocations per post: %s\n", $i}' <<<"$line"
mem=$(go test -run '^$' -bench '^BenchmarkModelMemory$' -benchtime 3x ./classifier/ | awk '/^BenchmarkModelMemory/ {for (i = 1; i < NF; i++) if ($(i+1) == "model-MB") print $i}')
echo "model in memory (heap after loading): ${mem} MB"
size=$(stat -c %s classifier/default.model)
awk -v s="$size" 'BEGIN { printf "model size on disk: %.2f MB (classifier/default.model)\n", s / 1e6 }'
go run ./cmd/marsad train -o "$(mktemp -d)/model" | awk 'NR == 1 { print "training: " $0 }'
