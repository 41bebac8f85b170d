#!/bin/sh
# Runs marsad network on the CooRTweet sample data with the parameter sets of
# CooRTweet's tests and vignette and prints accounts, edges and groups found,
# then the planted-network recall table. Usage: scripts/validate-network.sh
set -eu
cd "$(dirname "$0")/.."
data=../shared/data/coortweet-coordination
[ -d "$data" ] || { echo "missing $data" >&2; exit 1; }
bin=$(mktemp -d)/marsad
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./cmd/marsad

row() { # label, file, flags...
	label=$1 file=$2
	shift 2
	"$bin" network --top 0 "$@" "$file" 2>/dev/null | awk -v l="$label" '
		/^input:/ { split($0, a, ", "); sh = a[2] }
		/^accounts:/ { acc = $2 } /^edges:/ { ed = $2; lo = $3 } /^groups:/ { gr = $2 } /^communities:/ { co = $2 }
		END { printf "| %s | %s | %s | %s | %s | %s |\n", l, acc, ed, substr(lo, 2), gr, co }'
}

echo "| data set, parameters | accounts | edges | self-loops | groups (components) | communities |"
echo "|---|---|---|---|---|---|"
ru=$data/russian_coord_tweets.csv
row "russian, 10 s, min 5, loops removed" "$ru" --window 10s --min-participation 5
row "russian, 10 s, min 5, loops kept" "$ru" --window 10s --min-participation 5 --keep-loops
row "russian, 10 s, min 2, loops removed" "$ru" --window 10s --min-participation 2
row "russian, 10 s, min 2, loops kept" "$ru" --window 10s --min-participation 2 --keep-loops
de=$data/german_elections.csv
for w in 60 30; do
	for t in url hashtag domain phash; do
		row "german $t, $w s, min 2" "$de" --window ${w}s --min-participation 2 --type $t
	done
	row "german all four types together, $w s, min 2" "$de" --window ${w}s --min-participation 2
done
fb=$(dirname "$bin")/german_fb.csv
awk -F, 'NR == 1 || $1 ~ /^fb_/' "$de" >"$fb"
row "german Facebook URLs, 60 s, min 2" "$fb" --window 60s --min-participation 2 --type url

echo
"$bin" network --planted
