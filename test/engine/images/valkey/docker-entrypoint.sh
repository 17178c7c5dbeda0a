#!/bin/sh
# Entrypoint of the valkey stand-in, keeping the official image's behaviour:
#   - a first argument that is a flag (`--requirepass x`) or a configuration file (`/etc/valkey.conf`) runs
#     valkey-server with the arguments;
#   - valkey-server started as root first takes ownership of the working directory's files for valkey, then
#     runs again as valkey (uid 999) with no supplementary groups;
#   - the server gets umask 0077 unless another than the default 0022 was set; VALKEY_EXTRA_FLAGS (word-split)
#     are appended to the command.
set -e
case "${1:-}" in
    -*|*.conf) set -- valkey-server "$@" ;;
esac
if [ "${1:-}" = valkey-server ] && [ "$(id -u)" = 0 ]; then
    find . \! -user valkey -exec chown valkey '{}' +
    exec setpriv --reuid=valkey --regid=valkey --clear-groups -- "$0" "$@"
fi
if [ "$(umask)" = 0022 ]; then umask 0077; fi
# shellcheck disable=SC2086 # VALKEY_EXTRA_FLAGS is a list of flags, split on purpose.
exec "$@" $VALKEY_EXTRA_FLAGS
