#!/bin/sh
# Restore a dump of deploy/backup.sh into the database named by the PG* variables,
# replacing what is there (tables, sequences, extensions of the dump).
#
#   docker compose stop web worker beat
#   docker compose run --rm backup /deploy/restore.sh /backups/csj-20260101T021500Z.dump
#   docker compose exec redis redis-cli -n 1 flushdb   # the cache: it describes the old data
#   docker compose up -d
#
# Asks for the database name as confirmation; `--yes` as second argument skips that.
# Runs in one transaction: on any error nothing is changed.
set -eu

dump="${1:?usage: restore.sh /backups/csj-YYYYMMDDTHHMMSSZ.dump [--yes]}"
database="${PGDATABASE:?PGDATABASE is not set}"
[ -f "$dump" ] || { echo "no such file: $dump" >&2; exit 1; }
pg_restore --list "$dump" >/dev/null

if [ "${2:-}" != "--yes" ]; then
    printf 'Replace the contents of database "%s" on %s with %s?\nType the database name to go on: ' \
        "$database" "${PGHOST:-local socket}" "$dump"
    read -r answer
    [ "$answer" = "$database" ] || { echo "aborted" >&2; exit 1; }
fi

pg_restore --clean --if-exists --no-owner --no-privileges \
    --single-transaction --exit-on-error --dbname="$database" "$dump"
echo "restored $dump into $database"
echo "now empty the cache (REDIS_URL's database) before starting web: it remembers the old data"
