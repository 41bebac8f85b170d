#!/usr/bin/env bash
# Ingest throughput of text-only posts from JSONL, with the whole pipeline
# (signals, bank matching, text classifier, cases), into SQLite and, when
# it answers on 127.0.0.1:5432, PostgreSQL. Prints posts/s and the size on
# disk per 100k posts.
#
#   scripts/bench-ingest.sh [N]      (default N = 100000)
set -euo pipefail
export PGOPTIONS="--client-min-messages=warning"
cd "$(dirname "$0")/.."
N=${1:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/marsad" ./cmd/marsad
go run ./scripts/genposts -n "$N" > "$work/posts.jsonl"
echo "posts: $N ($(du -h "$work/posts.jsonl" | cut -f1) of JSONL), $(nproc) cores"

secs() { local s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }

t=$(secs "$work/marsad" ingest --data "$work/sqlite" "$work/posts.jsonl")
# Fold the WAL into the main file before measuring it.
"$work/marsad" audit verify --data "$work/sqlite" >/dev/null
bytes=$(du -cb "$work/sqlite"/marsad.db* | tail -1 | cut -f1)
printf 'sqlite:   %8.0f posts/s  (%.1f s)   %6.1f MiB per 100k posts\n' "$(echo "$N / $t" | bc -l)" "$t" "$(echo "$bytes / $N * 100000 / 1048576" | bc -l)"

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  schema="bench_$$"
  psql -q -h 127.0.0.1 -U postgres test -c "CREATE SCHEMA $schema" >/dev/null
  dsn="postgres://postgres@127.0.0.1:5432/test?sslmode=disable&search_path=$schema"
  t=$(secs "$work/marsad" ingest --db "$dsn" --data "$work/pg" "$work/posts.jsonl")
  bytes=$(psql -At -h 127.0.0.1 -U postgres test -c "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '$schema' AND c.relkind = 'r'")
  psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA $schema CASCADE" >/dev/null
  printf 'postgres: %8.0f posts/s  (%.1f s)   %6.1f MiB per 100k posts\n' "$(echo "$N / $t" | bc -l)" "$t" "$(echo "$bytes / $N * 100000 / 1048576" | bc -l)"
else
  echo "postgres: not reachable on 127.0.0.1:5432, skipped"
fi
