#!/usr/bin/env bash
# Randomised requests across every route of the OpenAPI document, on a
# fresh server per store with the demo data, a partner API key (read,write)
# and an admin session for the routes a key may not use. Counts the answers
# by status and route, prints every 5xx (and every request left without an
# answer) with the request that caused it, and exits non-zero if there was
# any. See scripts/fuzzhttp for what is varied.
#
#   scripts/fuzz-http.sh [-c 4] [-s SEED] [sqlite|postgres|both] [N]
#
#   N   requests per store (default 20000)
#   -c  requests in flight (default 4)
#   -s  random seed (default: the time)
set -euo pipefail
cd "$(dirname "$0")/.."
conc=4 seed=$(date +%s)
while getopts "c:s:" o; do
  case $o in
    c) conc=$OPTARG ;;
    s) seed=$OPTARG ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
which=${1:-both}
n=${2:-20000}
case $which in
  both) stores=(sqlite postgres) ;;
  sqlite|postgres) stores=("$which") ;;
  *) echo "usage: $0 [-c N] [-s SEED] [sqlite|postgres|both] [N]" >&2; exit 2 ;;
esac
source scripts/server.sh

build
go build -o "$work/fuzzhttp" ./scripts/fuzzhttp
echo "marsad $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $n requests per store, $conc in flight, seed $seed, $(date -u +%Y-%m-%dT%H:%MZ)"
status=0
for kind in "${stores[@]}"; do
  new_store "$kind" "fuzz-$kind"
  load_demo 200
  add_admin_and_key
  : > "$work/server.log"
  start_server
  "$work/fuzzhttp" -url "$base_url" -key "$api_key" -admin "load-admin:$admin_pw" -n "$n" -c "$conc" -seed "$seed" -store "$kind" || status=1
  stop_server
  errs=$(grep -c 'level=ERROR' "$work/server.log" || true)
  panics=$(grep -c 'panic' "$work/server.log" || true)
  echo "$kind: server log: $errs errors, $panics panics"
  grep 'level=ERROR' "$work/server.log" | sed 's/^time=[^ ]* //' | cut -c1-240 | sort | uniq -c | sort -rn | head -8 | sed 's/^/  /' || true
done
exit $status
