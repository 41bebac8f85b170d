#!/usr/bin/env bash
# Load on the HTTP API, on a fresh server per store: POST /api/v1/match
# (PDQ hashes and an image), GET /api/v1/cases and POST /api/v1/posts,
# first without credentials on a server with no users (loopback callers
# are let in until the first user exists), then with a partner API key
# after an admin and the key are created. Prints requests/s, p50 and p99
# latency and responses by status class per store, endpoint and auth.
#
#   scripts/load.sh [-d 10s] [-c 16] [-n 2000] [-e LIST] [-a] [sqlite|postgres|both]
#
#   -d  how long each endpoint is loaded (default 10s)
#   -c  requests in flight (default 16)
#   -n  generated posts loaded besides the demo posts (default 2000)
#   -e  endpoints, in order (default match-hash,match-image,cases,posts)
#   -a  also run autocannon on match and cases, when it is installed
#
# The store is filled with the demo banks and posts (see scripts/server.sh);
# PostgreSQL runs in a schema of its own in $MARSAD_LOAD_PG (default
# postgres://postgres@127.0.0.1:5432/test), dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=10s conc=16 nposts=2000 autocannon=0 endpoints=match-hash,match-image,cases,posts
while getopts "d:c:n:e:a" o; do
  case $o in
    d) dur=$OPTARG ;;
    c) conc=$OPTARG ;;
    n) nposts=$OPTARG ;;
    e) endpoints=$OPTARG ;;
    a) autocannon=1 ;;
    *) sed -n '2,17p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
which=${1:-both}
case $which in
  both) stores=(sqlite postgres) ;;
  sqlite|postgres) stores=("$which") ;;
  *) echo "usage: $0 [-d DUR] [-c N] [-n N] [-e LIST] [-a] [sqlite|postgres|both]" >&2; exit 2 ;;
esac
source scripts/server.sh

build
go build -o "$work/loadgen" ./scripts/loadgen
demo_source
hashes=$(awk -F, '$1 == "pdq" { printf "%s,", $2 }' "$work/demo/demo-partner-hashes.csv")
image="$work/demo/media/banner-a-reupload.png"
echo "marsad $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, $dur per endpoint, $conc in flight, $(date -u +%Y-%m-%dT%H:%MZ)"

# run_autocannon AUTH prints autocannon's summary for each endpoint.
run_autocannon() {
  command -v autocannon >/dev/null || { echo "autocannon not installed; skipped" >&2; return 0; }
  local h=() secs=${dur%s}
  [[ -n ${api_key:-} && $1 == key ]] && h=(-H "Authorization=Bearer $api_key")
  autocannon -c "$conc" -d "$secs" "${h[@]}" -m POST -H 'Content-Type=application/json' \
    -b "{\"hashes\":[\"${hashes%%,*}\"]}" "$base_url/api/v1/match" 2>&1 | sed 's/^/  autocannon match: /'
  autocannon -c "$conc" -d "$secs" "${h[@]}" "$base_url/api/v1/cases?state=open" 2>&1 | sed 's/^/  autocannon cases: /'
}

header=-header
for kind in "${stores[@]}"; do
  new_store "$kind" "load-$kind"
  load_demo "$nposts"

  start_server
  "$work/loadgen" $header -url "$base_url" -store "$kind" -endpoints "$endpoints" -d "$dur" -c "$conc" -hashes "$hashes" -image "$image"
  header=
  [[ $autocannon == 1 ]] && run_autocannon none
  stop_server

  add_admin_and_key
  start_server
  "$work/loadgen" -url "$base_url" -key "$api_key" -store "$kind" -endpoints "$endpoints" -d "$dur" -c "$conc" -hashes "$hashes" -image "$image"
  [[ $autocannon == 1 ]] && run_autocannon key
  stop_server
  if grep -q 'level=ERROR' "$work/server.log"; then
    echo "  $kind server log errors (first 5):"
    grep 'level=ERROR' "$work/server.log" | head -5 | cut -c1-300 | sed 's/^/    /' || true
  fi
  : > "$work/server.log"
done
