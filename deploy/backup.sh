#!/bin/sh
# pg_dump -Fc of the platform's database into $BACKUP_DIR, keeping $BACKUP_KEEP_DAYS days.
# The connection comes from libpq's PG* variables (PGHOST, PGDATABASE, PGUSER, PGPASSWORD).
#
#   once:       docker compose run --rm backup /deploy/backup.sh
#   scheduled:  the compose service "backup" runs `backup.sh --loop` (one dump every
#               BACKUP_INTERVAL_SECONDS), or a host crontab line such as
#               15 2 * * *  cd /srv/csj && docker compose run --rm -T backup /deploy/backup.sh
# Restore with deploy/restore.sh. Copy ./backups off the machine (rsync, object store).
set -eu

BACKUP_DIR="${BACKUP_DIR:-/backups}"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-14}"
INTERVAL="${BACKUP_INTERVAL_SECONDS:-86400}"

backup_once() {
    mkdir -p "$BACKUP_DIR" || return 1
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    target="$BACKUP_DIR/csj-$stamp.dump"
    # Written under a temporary name: a dump that failed half-way never looks complete.
    pg_dump --format=custom --compress=6 --file="$target.partial" || { rm -f "$target.partial"; return 1; }
    # The archive's table of contents must be readable, or it is no backup.
    pg_restore --list "$target.partial" >/dev/null || { rm -f "$target.partial"; return 1; }
    mv "$target.partial" "$target" || return 1
    find "$BACKUP_DIR" -maxdepth 1 -type f -name 'csj-*.dump' -mtime +"$KEEP_DAYS" -exec rm -f {} + || return 1
    echo "$(date -u +%FT%TZ) backup written: $target ($(du -h "$target" | cut -f1))"
}

if [ "${1:-}" = "--loop" ]; then
    while :; do
        backup_once || echo "$(date -u +%FT%TZ) BACKUP FAILED" >&2
        sleep "$INTERVAL"
    done
else
    backup_once
fi
