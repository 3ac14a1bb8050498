#!/bin/bash
set -Eeo pipefail
# As docker-library/postgres: started as root, fix the data dir and re-exec as the db user.
if [ "$1" = 'dbserver' ] && [ "$(id -u)" = '0' ]; then
	mkdir -p "$PGDATA"
	chown -R db "$PGDATA"
	chmod 700 "$PGDATA"
	exec gosu db "$BASH_SOURCE" "$@"
fi
if [ "$1" = 'dbserver' ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
	echo "initdb: $PGDATA as $(id -u):$(id -g)"
	echo 16 > "$PGDATA/PG_VERSION"
fi
exec "$@"
