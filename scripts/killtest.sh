#!/usr/bin/env bash
# Durability under kill -9: streams posts to POST /api/v1/posts while the
# server is killed with SIGKILL at random moments and restarted, then reads
# back every post the server acknowledged. Prints
# "acknowledged X, stored Y, lost Z" and exits non-zero if Z > 0.
#
#   scripts/killtest.sh [-k 10] [-c 4] [-b 5] [sqlite|postgres|both]
#
#   -k  kills (default 10), each 0.5-3 s after the server answers
#   -c  requests in flight (default 4)
#   -b  posts per request (default 5)
#
# The server has no users, so loopback callers need no key (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
kills=10 conc=4 batch=5
while getopts "k:c:b:" o; do
  case $o in
    k) kills=$OPTARG ;;
    c) conc=$OPTARG ;;
    b) batch=$OPTARG ;;
    *) sed -n '2,13p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
which=${1:-both}
case $which in
  both) stores=(sqlite postgres) ;;
  sqlite|postgres) stores=("$which") ;;
  *) echo "usage: $0 [-k N] [-c N] [-b N] [sqlite|postgres|both]" >&2; exit 2 ;;
esac
source scripts/server.sh

build
go build -o "$work/poststream" ./scripts/poststream
status=0
for kind in "${stores[@]}"; do
  new_store "$kind" "kill-$kind"
  start_server
  addr=${base_url#http://}
  "$work/poststream" -url "$base_url" -c "$conc" -batch "$batch" -acked "$work/acked-$kind.txt" 2>"$work/stream-$kind.log" &
  stream_pid=$!
  for i in $(seq 1 "$kills"); do
    ms=$((500 + RANDOM % 2500))
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill9_server
    start_server "$addr"
  done
  sleep 1
  kill -TERM "$stream_pid"
  wait "$stream_pid" || true
  echo "$kind: $kills kills; $(cat "$work/stream-$kind.log")"
  printf '%s: ' "$kind"
  "$work/poststream" -url "$base_url" -verify "$work/acked-$kind.txt" -c 4 || status=1
  stop_server
done
exit $status
