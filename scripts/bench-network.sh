#!/bin/sh
# Times marsad network on 2 cores: the 219k-row German election set end to
# end (read, pair, filter, communities) with peak memory, then detection
# alone (--skip-communities) and end to end on synthetic posts at a constant
# rate. Usage: scripts/bench-network.sh [MAX_POSTS] [MAX_END_TO_END]
# MAX_POSTS (default 10000000) caps the detection-only sizes (100k, 1M,
# 10M); MAX_END_TO_END (default 1000000; 10000000 adds a 10M run of about a
# minute and 5 GiB) caps the runs with communities.
# Stage times are wall clock as the command reports them; CPU s (user +
# system) is steadier on a shared machine.
set -eu
cd "$(dirname "$0")/.."
max=${1:-10000000}
maxe2e=${2:-1000000}
data=../shared/data/coortweet-coordination/german_elections.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/marsad" ./cmd/marsad
export GOMAXPROCS=2
pin=""
if command -v taskset >/dev/null 2>&1; then pin="taskset -c 0,1"; fi

# run LABEL ARGS...: one timed run, one table row.
run() {
	label=$1
	shift
	/usr/bin/time -f "%e %M %U %S" -o "$tmp/time" $pin "$tmp/marsad" network --top 0 "$@" >"$tmp/out" 2>"$tmp/err"
	awk -v l="$label" -v tf="$tmp/time" '
		/^input:/ { n = split($0, a, " "); for (i = 1; i <= n; i++) if (a[i] == "shares") sh = a[i-1] }
		/^accounts:/ { acc = $2 } /^edges:/ { ed = $2 } /^communities:/ { co = $2 }
		/^time:/ { gsub(/[a-z:,+]+/, " "); load = $1; det = $2; com = $3 }
		END { getline t < tf; split(t, m, " ");
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %.0f |\n", l, sh, acc, ed, co, load, det, com, m[1], m[3] + m[4], m[2] / 1024 }' \
		"$tmp/out" "$tmp/err"
}

echo "| run | shares | accounts | edges | communities | read+pair s | filter s | communities s | wall s | CPU s | peak MiB |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
if [ -f "$data" ]; then
	run "German election set, all types, 60 s, min 2" "$data"
	for t in url hashtag domain phash; do
		run "German election set, $t, 60 s, min 2" --type "$t" "$data"
	done
else
	echo "missing $data: German set skipped" >&2
fi
for n in 100000 1000000 10000000; do
	[ "$n" -le "$max" ] || continue
	run "synthetic $n posts, 60 s, min 2, detection only" --synthetic "$n" --skip-communities
done
for n in 100000 1000000 10000000; do
	[ "$n" -le "$maxe2e" ] || continue
	run "synthetic $n posts, 60 s, min 2, end to end" --synthetic "$n"
done
for n in 100000 1000000; do
	[ "$n" -le "$maxe2e" ] || continue
	run "synthetic $n posts, 60 s, min 2, min weight 2, end to end" --synthetic "$n" --min-weight 2
done
