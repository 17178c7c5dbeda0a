#!/usr/bin/env bash
# Entrypoint of the postgres stand-in, keeping the official image's documented contract:
#   - a first argument that is a flag runs `postgres` with it;
#   - for `postgres` (unless asking for help or the version): PGDATA and the socket directory are created and,
#     as root, handed to postgres before the script runs again as postgres (uid 70);
#   - an empty PGDATA (no PG_VERSION) is initialised with POSTGRES_USER (postgres) and POSTGRES_PASSWORD
#     (required unless POSTGRES_HOST_AUTH_METHOD=trust), POSTGRES_INITDB_ARGS and POSTGRES_INITDB_WALDIR;
#     pg_hba.conf keeps initdb's trust for the local socket and loopback and gains
#     `host all all all <POSTGRES_HOST_AUTH_METHOD or password_encryption, scram-sha-256>`; a server on the
#     socket only then creates POSTGRES_DB (default: the user's name) and runs /docker-entrypoint-initdb.d/*
#     (*.sh executed if executable, else sourced; *.sql, *.sql.gz, *.sql.xz, *.sql.zst through psql);
#   - each POSTGRES_* setting above can instead come from a file named by <NAME>_FILE (Docker secrets);
#   - then the command runs as PID 1 (exec).
set -Eeo pipefail

# NAME from $NAME or from the file named by $NAME_FILE, never both; DEFAULT otherwise.
from_env_or_file() {
    local name="$1" default="${2:-}" file_var="${1}_FILE"
    if [ -n "${!name:-}" ] && [ -n "${!file_var:-}" ]; then
        echo "error: both $name and $file_var are set; they are exclusive" >&2
        exit 1
    fi
    local value="$default"
    if [ -n "${!name:-}" ]; then
        value="${!name}"
    elif [ -n "${!file_var:-}" ]; then
        value="$(<"${!file_var}")"
    fi
    export "$name"="$value"
    unset "$file_var"
}

read_settings() {
    from_env_or_file POSTGRES_PASSWORD
    from_env_or_file POSTGRES_USER postgres
    from_env_or_file POSTGRES_DB "$POSTGRES_USER"
    from_env_or_file POSTGRES_INITDB_ARGS
    : "${POSTGRES_HOST_AUTH_METHOD:=}"
    DATABASE_EXISTS=""
    if [ -s "$PGDATA/PG_VERSION" ]; then DATABASE_EXISTS=yes; fi
}

prepare_directories() {
    mkdir -p "$PGDATA"
    # PostgreSQL refuses a data directory others can read; this fails (harmlessly) when we do not own it.
    chmod 0700 "$PGDATA" || :
    mkdir -p /var/run/postgresql || :
    chmod 03775 /var/run/postgresql || :
    if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then
        mkdir -p "$POSTGRES_INITDB_WALDIR"
        if [ "$(id -u)" = 0 ]; then find "$POSTGRES_INITDB_WALDIR" \! -user postgres -exec chown postgres '{}' +; fi
        chmod 0700 "$POSTGRES_INITDB_WALDIR"
    fi
    if [ "$(id -u)" = 0 ]; then
        find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
        find /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
    fi
}

require_password() {
    if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
        cat >&2 <<'MSG'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
       connections without a password. This is *not* recommended.
MSG
        exit 1
    fi
    if [ "$POSTGRES_HOST_AUTH_METHOD" = trust ]; then
        echo 'WARNING: POSTGRES_HOST_AUTH_METHOD is "trust": anyone who can reach the port connects without a password.' >&2
    fi
}

run_initdb() {
    # initdb needs a passwd entry for the current uid; a --user without one gets it from nss_wrapper.
    local uid; uid="$(id -u)"
    if ! getent passwd "$uid" >/dev/null; then
        local wrapper
        for wrapper in /usr/lib/*/libnss_wrapper.so /usr/lib/libnss_wrapper.so; do
            if [ -s "$wrapper" ]; then
                NSS_WRAPPER_PASSWD="$(mktemp)" NSS_WRAPPER_GROUP="$(mktemp)"
                export LD_PRELOAD="$wrapper" NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
                printf 'postgres:x:%s:%s:PostgreSQL:%s:/bin/false\n' "$uid" "$(id -g)" "$PGDATA" >"$NSS_WRAPPER_PASSWD"
                printf 'postgres:x:%s:\n' "$(id -g)" >"$NSS_WRAPPER_GROUP"
                break
            fi
        done
    fi
    local args=(--username="$POSTGRES_USER")
    if [ -n "${POSTGRES_INITDB_WALDIR:-}" ]; then args+=(--waldir "$POSTGRES_INITDB_WALDIR"); fi
    # The password through a pipe, never a command line; initdb rejects an empty file, hence the newline.
    # POSTGRES_INITDB_ARGS is word-split by eval, as the official image documents it.
    eval 'initdb "${args[@]}" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"
    if [[ "${LD_PRELOAD:-}" == */libnss_wrapper.so ]]; then
        rm -f "$NSS_WRAPPER_PASSWD" "$NSS_WRAPPER_GROUP"
        unset LD_PRELOAD NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
    fi
}

# Every host connection authenticates with the method the server encrypts passwords for (scram-sha-256 by
# default), unless POSTGRES_HOST_AUTH_METHOD says otherwise. initdb's own lines come first, so the local
# socket and loopback stay trusted, as in the official image.
allow_host_connections() {
    local method="$POSTGRES_HOST_AUTH_METHOD"
    if [ -z "$method" ]; then method="$(postgres -C password_encryption "$@")"; fi
    printf '\nhost all all all %s\n' "$method" >>"$PGDATA/pg_hba.conf"
}

psql_init() {
    local cmd=(psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc)
    if [ -n "$POSTGRES_DB" ]; then cmd+=(--dbname "$POSTGRES_DB"); fi
    PGHOST= PGHOSTADDR= "${cmd[@]}" "$@"
}

# A server on the socket only, for the set-up steps: nothing outside the container sees a half-made database.
start_setup_server() {
    NOTIFY_SOCKET= PGUSER="${PGUSER:-$POSTGRES_USER}" \
        pg_ctl -D "$PGDATA" -o "$(printf '%q ' "$@" -c listen_addresses='' -p "${PGPORT:-5432}")" -w start
}

stop_setup_server() {
    PGUSER="${PGUSER:-postgres}" pg_ctl -D "$PGDATA" -m fast -w stop
}

create_database() {
    local exists
    exists="$(POSTGRES_DB= psql_init --dbname postgres --set db="$POSTGRES_DB" --tuples-only <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
    if [ -z "$exists" ]; then
        POSTGRES_DB= psql_init --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
    fi
}

run_init_files() {
    local f
    for f in /docker-entrypoint-initdb.d/*; do
        [ -e "$f" ] || continue
        case "$f" in
            *.sh)
                if [ -x "$f" ]; then echo "$0: running $f"; "$f"; else echo "$0: sourcing $f"; . "$f"; fi ;;
            *.sql) echo "$0: running $f"; psql_init -f "$f" ;;
            *.sql.gz) echo "$0: running $f"; gunzip -c "$f" | psql_init ;;
            *.sql.xz) echo "$0: running $f"; xzcat "$f" | psql_init ;;
            *.sql.zst) echo "$0: running $f"; zstd -dc "$f" | psql_init ;;
            *) echo "$0: ignoring $f" ;;
        esac
    done
}

wants_help() {
    local arg
    for arg; do
        case "$arg" in -'?'|--help|--describe-config|-V|--version) return 0 ;; esac
    done
    return 1
}

main() {
    if [ "${1:0:1}" = - ]; then set -- postgres "$@"; fi
    if [ "$1" = postgres ] && ! wants_help "$@"; then
        read_settings
        prepare_directories
        if [ "$(id -u)" = 0 ]; then
            # Again as postgres, with its groups and home, as gosu would run it.
            HOME=/var/lib/postgresql exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${BASH_SOURCE[0]}" "$@"
        fi
        if [ -z "$DATABASE_EXISTS" ]; then
            require_password
            # Fails now, not half-way through, if the init directory cannot be read.
            ls /docker-entrypoint-initdb.d/ >/dev/null
            run_initdb
            allow_host_connections "${@:2}"
            # For psql, should POSTGRES_INITDB_ARGS ask for passwords on the socket too.
            export PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}"
            start_setup_server "${@:2}"
            create_database
            run_init_files
            stop_setup_server
            unset PGPASSWORD
            printf '\nPostgreSQL init process complete; ready for start up.\n\n'
        else
            printf '\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n'
        fi
    fi
    exec "$@"
}

main "$@"
