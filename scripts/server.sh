# Shared by load.sh, killtest.sh and fuzz-http.sh (source it, do not run it):
# builds marsad, makes throwaway stores, starts and stops servers, and
# cleans everything up on exit.
#
# Every store lives under one temporary folder ($work); a PostgreSQL store
# is a schema of its own in $MARSAD_LOAD_PG (default the local "test"
# database), dropped on exit.

export PGOPTIONS="--client-min-messages=warning"
MARSAD_LOAD_PG=${MARSAD_LOAD_PG:-postgres://postgres@127.0.0.1:5432/test}

work=$(mktemp -d "${TMPDIR:-/tmp}/marsad-load.XXXXXX")
schemas=()
server_pid=""

cleanup() {
  stop_server
  for s in "${schemas[@]}"; do
    psql -q "$MARSAD_LOAD_PG" -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || echo "could not drop schema $s" >&2
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# build compiles marsad into $work.
build() {
  go build -o "$work/marsad" ./cmd/marsad
}

# new_store KIND NAME makes an empty store and sets store_args to the flags
# that open it (--data, and --db for PostgreSQL).
new_store() {
  local kind=$1 name=$2
  mkdir -p "$work/$name"
  case $kind in
    sqlite)
      store_args=(--data "$work/$name")
      ;;
    postgres)
      pg_isready -q -d "$MARSAD_LOAD_PG" || { echo "PostgreSQL does not answer at $MARSAD_LOAD_PG" >&2; return 1; }
      local schema="marsad_load_$$_${name//[^a-z0-9]/_}"
      psql -q "$MARSAD_LOAD_PG" -c "CREATE SCHEMA $schema" >/dev/null
      schemas+=("$schema")
      local sep='?'
      [[ $MARSAD_LOAD_PG == *\?* ]] && sep='&'
      store_args=(--data "$work/$name" --db "$MARSAD_LOAD_PG${sep}sslmode=disable&search_path=$schema")
      ;;
    *)
      echo "unknown store $kind (want sqlite or postgres)" >&2
      return 1
      ;;
  esac
}

# demo_source writes the demo media and the demo banks as CSV into
# $work/demo (once), so any store can be filled the way a user would:
# with bank import and ingest. (marsad demo also creates users, and the
# no-key runs need a store without any.)
demo_source() {
  [[ -f $work/demo/posts.jsonl ]] && return
  "$work/marsad" demo --no-serve --data "$work/demo-src" >/dev/null
  mkdir -p "$work/demo"
  cp -r "$work/demo-src/demo/media" "$work/demo/media"
  cp internal/demo/posts.jsonl "$work/demo/posts.jsonl"
  for b in demo-partner-hashes demo-unit-list; do
    "$work/marsad" bank export --data "$work/demo-src" "$b" "$work/demo/$b.csv"
  done
  rm -rf "$work/demo-src"
}

# load_demo [N] fills the current store with the demo banks and posts and
# N (default 2000) generated posts.
load_demo() {
  local n=${1:-2000}
  demo_source
  "$work/marsad" bank create "${store_args[@]}" --owner "Demo partner" --auto-action demo-partner-hashes >/dev/null
  "$work/marsad" bank create "${store_args[@]}" --owner "Demo unit" demo-unit-list >/dev/null
  for b in demo-partner-hashes demo-unit-list; do
    "$work/marsad" bank import "${store_args[@]}" "$b" "$work/demo/$b.csv" >/dev/null
  done
  "$work/marsad" ingest "${store_args[@]}" "$work/demo/posts.jsonl" >/dev/null
  go run ./scripts/genposts -n "$n" -seed 7 > "$work/gen.jsonl"
  "$work/marsad" ingest "${store_args[@]}" "$work/gen.jsonl" >/dev/null
}

# add_admin_and_key creates an admin (password in $work/admin.pw) and a
# partner key with the read, write and all-platforms scopes (a key must be
# bound to a platform or see them all; loadgen, poststream and fuzzhttp
# send posts for several platforms), and sets api_key.
add_admin_and_key() {
  admin_pw="load-test-$(date +%s%N)"
  printf '%s\n' "$admin_pw" > "$work/admin.pw"
  "$work/marsad" user add "${store_args[@]}" --role admin load-admin < "$work/admin.pw" >/dev/null
  api_key=$("$work/marsad" user key add "${store_args[@]}" --scopes read,write,all-platforms load-partner)
}

# start_server [ADDR] starts marsad serve on ADDR (default a free loopback
# port) and sets server_pid and base_url once /healthz answers.
start_server() {
  local addr=${1:-127.0.0.1:0} log="$work/server.log"
  [[ $addr == *:0 ]] && base_url=""
  : > "$log.out"
  "$work/marsad" serve "${store_args[@]}" --addr "$addr" >"$log.out" 2>>"$log" &
  server_pid=$!
  local i
  for i in $(seq 1 300); do
    if [[ -z ${base_url:-} ]]; then
      local u
      u=$(grep -o 'http://[0-9.:]*' "$log.out" | head -1 || true)
      [[ -n $u ]] && base_url=$u
    fi
    if [[ -n ${base_url:-} ]] && curl -fs -o /dev/null "$base_url/healthz"; then
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || { echo "marsad serve exited; its log:" >&2; tail -20 "$log" >&2; return 1; }
    sleep 0.1
  done
  echo "marsad serve did not answer within 30 s" >&2
  return 1
}

# stop_server ends the server, if one is running.
stop_server() {
  [[ -n $server_pid ]] || return 0
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# kill9_server kills the server without letting it finish anything.
kill9_server() {
  [[ -n $server_pid ]] || return 0
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
