#!/usr/bin/env bash
# Entrypoint of the locally built norberts-db/postgres:N images.
#
# It honours the contract of the official postgres image, so the toolkit drives
# both kinds of image the same way:
#   POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE), POSTGRES_USER (default postgres),
#   POSTGRES_DB (default: the user), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD,
#   /docker-entrypoint-initdb.d/*.{sh,sql,sql.gz}. They only matter while PGDATA is empty.
# The server never runs as root: the entrypoint fixes ownership as root and then
# re-executes itself as the postgres user (setpriv, from util-linux; gosu is not
# in Debian's minimal root filesystem).
set -Eeo pipefail

CLUSTER_TEMPLATE=/usr/share/norberts-db/cluster

log() { printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*"; }
die() { log "error: $*" >&2; exit 1; }

# VAR_FILE support, as in the official image (Docker secrets).
file_env() {
	local var="$1" file_var="${1}_FILE" default="${2:-}"
	if [ "${!var:-}" ] && [ "${!file_var:-}" ]; then
		die "both $var and $file_var are set; they are exclusive"
	fi
	local value="$default"
	if [ "${!var:-}" ]; then
		value="${!var}"
	elif [ "${!file_var:-}" ]; then
		value="$(<"${!file_var}")"
	fi
	export "$var"="$value"
	unset "$file_var"
}

# PostgreSQL 18 keeps data in a pg_ctlcluster-compatible layout below the volume
# at /var/lib/postgresql, like the official 18 image. Data of another layout or
# major would otherwise be ignored silently while a new, empty cluster is created.
check_data_layout() {
	if [ "$PG_MAJOR" -ge 18 ]; then
		if grep -qs ' /var/lib/postgresql/data ' /proc/self/mountinfo; then
			die "PostgreSQL $PG_MAJOR keeps its data in $PGDATA below a volume mounted at" \
				"/var/lib/postgresql; a mount at /var/lib/postgresql/data is not supported." \
				"Mount the volume at /var/lib/postgresql instead."
		fi
		if [ -s /var/lib/postgresql/PG_VERSION ]; then
			die "the volume at /var/lib/postgresql holds a PostgreSQL" \
				"$(cat /var/lib/postgresql/PG_VERSION) data directory; this image runs $PG_MAJOR." \
				"Use an image of that major, or start over with an empty volume."
		fi
	fi
	local other
	for other in "$PGDATA"/*/docker/PG_VERSION; do
		[ -s "$other" ] || continue
		die "the volume holds a PostgreSQL $(cat "$other") data directory; this image runs" \
			"$PG_MAJOR. Use an image of that major, or start over with an empty volume."
	done
	if [ -s "$PGDATA/PG_VERSION" ] && [ "$(cat "$PGDATA/PG_VERSION")" != "$PG_MAJOR" ]; then
		die "the data directory $PGDATA was initialized by PostgreSQL" \
			"$(cat "$PGDATA/PG_VERSION"); this image runs $PG_MAJOR. Use an image of that" \
			"major, or start over with an empty volume."
	fi
}

prepare_dirs_as_root() {
	mkdir -p "$PGDATA" /var/run/postgresql
	chmod 00700 "$PGDATA"
	chmod 03775 /var/run/postgresql
	# A volume created by another image may belong to another uid.
	find /var/lib/postgresql /var/run/postgresql \! -user postgres -exec chown postgres:postgres '{}' +
}

init_cluster() {
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS
	local auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$auth" != trust ]; then
		die "the database is uninitialized and no superuser password is given." \
			"Set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust, which allows" \
			"anyone to connect without a password)."
	fi
	if copy_template "$auth"; then
		log "initialized a PostgreSQL $PG_MAJOR cluster in $PGDATA from the image's own (no initdb)"
	else
		log "initializing a PostgreSQL $PG_MAJOR cluster in $PGDATA"
		run_initdb "$auth"
	fi
	{
		echo
		echo "listen_addresses = '*'"
		echo "unix_socket_directories = '/var/run/postgresql'"
	} >>"$PGDATA/postgresql.conf"
	printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
}

# The image holds a cluster made at build time with the defaults and a password
# nobody learns (see the Dockerfile). When the container asks for nothing else,
# a copy of it stands in for initdb, and the superuser's password is set in
# single-user mode, where no server listens, read from a pipe (printf is a shell
# builtin: the password is in no process's arguments).
copy_template() {
	local auth="$1"
	if [ ! -s "$CLUSTER_TEMPLATE/PG_VERSION" ] || [ -n "$POSTGRES_INITDB_ARGS" ] \
		|| [ "$POSTGRES_USER" != postgres ] || [ "$auth" != scram-sha-256 ] \
		|| [ -z "$POSTGRES_PASSWORD" ] || [[ "$POSTGRES_PASSWORD" == *[$'\n\r']* ]]; then
		return 1
	fi
	cp -a "$CLUSTER_TEMPLATE/." "$PGDATA/"
	printf 'ALTER ROLE postgres PASSWORD %s\n' "'${POSTGRES_PASSWORD//\'/\'\'}'" | single_user
}

# One statement per line; an error ends it with a failing exit, and no statement is logged.
single_user() {
	postgres --single -D "$PGDATA" -c exit_on_error=on -c log_min_error_statement=panic \
		postgres >/dev/null
}

run_initdb() {
	local auth="$1"
	local -a initdb_args=(-D "$PGDATA" --username="$POSTGRES_USER" --auth-local=trust --auth-host="$auth")
	# POSTGRES_INITDB_ARGS is word-split on purpose, as in the official image.
	# shellcheck disable=SC2086
	if [ -n "$POSTGRES_PASSWORD" ]; then
		# The password reaches initdb through a pipe: never on a command line.
		initdb "${initdb_args[@]}" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") $POSTGRES_INITDB_ARGS
	else
		initdb "${initdb_args[@]}" $POSTGRES_INITDB_ARGS
	fi
}

# A server on the unix socket only, so nothing outside the container can
# connect (or take it for ready) before initialization is complete.
start_temp_server() {
	if [ "${1:-}" = postgres ]; then shift; fi
	local options
	options="$(printf '%q ' "$@" -c listen_addresses= -c unix_socket_directories=/var/run/postgresql -p 5432)"
	pg_ctl -D "$PGDATA" -o "$options" -w start
}

run_psql() {
	PGHOST=/var/run/postgresql PGPORT=5432 psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password \
		--username "$POSTGRES_USER" "$@"
}

create_database() {
	if [ "$POSTGRES_DB" = postgres ]; then return 0; fi
	local exists
	exists="$(run_psql --dbname postgres -tA --set db="$POSTGRES_DB" \
		<<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
	if [ -z "$exists" ]; then
		run_psql --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
	fi
}

create_database_single_user() {
	if [ "$POSTGRES_DB" = postgres ]; then return 0; fi
	printf 'CREATE DATABASE "%s"\n' "${POSTGRES_DB//\"/\"\"}" | single_user
}

run_init_scripts() {
	local f
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
		*.sh)
			if [ -x "$f" ]; then
				log "running $f"
				"$f"
			else
				log "sourcing $f"
				# shellcheck disable=SC1090
				. "$f"
			fi
			;;
		*.sql) log "running $f"; run_psql --dbname "$POSTGRES_DB" -f "$f" ;;
		*.sql.gz) log "running $f"; gunzip -c "$f" | run_psql --dbname "$POSTGRES_DB" ;;
		*) if [ -e "$f" ]; then log "ignoring $f"; fi ;;
		esac
	done
}

main() {
	if [ "${1:0:1}" = '-' ] || [ $# -eq 0 ]; then
		set -- postgres "$@"
	fi
	if [ "$1" != postgres ]; then
		exec "$@"
	fi
	check_data_layout
	if [ "$(id -u)" = 0 ]; then
		prepare_dirs_as_root
		export HOME=/var/lib/postgresql
		exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
	fi
	if [ ! -s "$PGDATA/PG_VERSION" ]; then
		init_cluster
		if compgen -G '/docker-entrypoint-initdb.d/*' >/dev/null \
			|| [[ "$POSTGRES_DB" == *[$'\n\r']* ]]; then
			start_temp_server "$@"
			create_database
			run_init_scripts
			pg_ctl -D "$PGDATA" -m fast -w stop
		else
			# Nothing needs a running server: no temporary one is started and stopped.
			create_database_single_user
		fi
		unset PGPASSWORD
		log "PostgreSQL init process complete; ready for start up."
	fi
	exec "$@"
}

main "$@"
