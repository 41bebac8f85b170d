#!/usr/bin/env bash
# Prints the speed of URL extraction and wallet-address finding on a
# 280-character mixed Arabic/English post (ns/op), and the false-positive
# count of wallet.Find on random strings of address shape.
#
# Usage: scripts/bench-signals.sh [random strings per shape, default 100000]
set -euo pipefail
cd "$(dirname "$0")/.."
per_shape="${1:-100000}"

echo "== speed (ns/op on one post; lower is better)"
go test -run '^$' -bench 'Extract|Canonical' -benchtime 2s -count 1 ./links | grep '^Benchmark'
go test -run '^$' -bench 'Find' -benchtime 2s -count 1 ./wallet | grep '^Benchmark'

echo
echo "== wallet false positives on ${per_shape} random strings per address shape"
go test -run '^TestRandomFalsePositives$' -v -count 1 ./wallet -args -fp "${per_shape}" |
	sed -n 's/^ *wallet_test.go:[0-9]*: //p'
