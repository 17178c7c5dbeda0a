#!/bin/sh
# Entrypoint of the nginx-unprivileged stand-in, keeping the official image's behaviour: when the command is
# nginx (or nginx-debug), every file in /docker-entrypoint.d/ runs first, in version order: *.envsh is sourced
# (its exports reach the steps after it), *.sh is executed, either only if executable; other files are
# skipped. Any other command (`sh`, `nginx -t` is still nginx) runs untouched. NGINX_ENTRYPOINT_QUIET_LOGS
# silences the progress lines.
set -e

log() {
    if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then echo "$@"; fi
}

if [ "${1:-}" = nginx ] || [ "${1:-}" = nginx-debug ]; then
    steps="$(find /docker-entrypoint.d/ -follow -type f -print 2>/dev/null | sort -V)"
    if [ -z "$steps" ]; then
        log "$0: No files found in /docker-entrypoint.d/, skipping configuration"
    else
        log "$0: /docker-entrypoint.d/ is not empty, will attempt to perform configuration"
        log "$0: Looking for shell scripts in /docker-entrypoint.d/"
        # A here-document, not a pipe: the loop runs in this shell, so sourced files affect later steps.
        while read -r f; do
            case "$f" in
                *.envsh)
                    if [ -x "$f" ]; then log "$0: Sourcing $f"; . "$f"; else log "$0: Ignoring $f, not executable"; fi
                    ;;
                *.sh)
                    if [ -x "$f" ]; then log "$0: Launching $f"; "$f"; else log "$0: Ignoring $f, not executable"; fi
                    ;;
                *) log "$0: Ignoring $f" ;;
            esac
        done <<STEPS
$steps
STEPS
        log "$0: Configuration complete; ready for start up"
    fi
fi

exec "$@"
