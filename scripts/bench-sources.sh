#!/usr/bin/env bash
# Prints the posts collected a second from a local RSS feed of 1,000 items
# into SQLite, through the whole pipeline (signals, built-in text
# classifier, routing), as marsad serve collects a source.
# Usage: scripts/bench-sources.sh [benchtime]   (default 5x)
set -euo pipefail
cd "$(dirname "$0")/.."
benchtime="${1:-5x}"
out=$(go test -run '^$' -bench '^BenchmarkCollectFeed$' -benchtime "$benchtime" ./internal/source/)
line=$(grep '^BenchmarkCollectFeed' <<<"$out" || true)
if [[ -z "$line" ]]; then
	echo "$out" >&2
	exit 1
fi
echo "$line"
awk '{for (i = 1; i < NF; i++) if ($(i+1) == "posts/s") printf "feed collection: %.0f posts/s\n", $i}' <<<"$line"
