#!/bin/sh
# Entrypoint of the node stand-in, keeping the official image's rule: the command runs under node when its
# first word is a flag (`--version`), is not a command found on PATH (`app.js`), or is a file that is not
# executable; anything else (`sh`, `npm`, `pnpm`) runs as given.
set -e
first="${1:-}"
case "$first" in
  -*) set -- node "$@" ;;
  *)
    # dash's `command -v` also reports files that are not executable (Debian bug 874264): those run under node.
    if [ -z "$(command -v "$first")" ] || { [ -f "$first" ] && ! [ -x "$first" ]; }; then
      set -- node "$@"
    fi
    ;;
esac
exec "$@"
