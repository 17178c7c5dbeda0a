#!/usr/bin/env bash
# Builds one Go main package from the Go module proxy into the engine cache, once per version:
#
#   build-go-tool.sh <module> <version> <package> <binary-name> [ldflags]
#
# `go install pkg@version` refuses a module whose go.mod has `replace` directives (the Pulumi CLI's
# does), so the package is built from a throwaway wrapper module that requires the module at the
# pinned version. Prints the binary's path on stdout; progress goes to stderr.
set -euo pipefail
module=$1 version=$2 package=$3 name=$4 ldflags=${5:-}
cache="${NEXIOM_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nexiom-engine}"
out="$cache/go-tools/$name-$version/$name"
if [ -x "$out" ]; then printf '%s\n' "$out"; exit 0; fi

command -v go >/dev/null || { echo "build-go-tool: Go is needed to build $name $version from the module proxy; install Go 1.24 or newer." >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/go.mod" <<MOD
module nexiom.local/build/$name

go 1.24

require $module $version
MOD
printf 'package tools\n\nimport _ "%s"\n' "$package" > "$work/tools.go"
echo "build-go-tool: resolving $module@$version through the Go module proxy" >&2
(cd "$work" && GOFLAGS=-mod=mod go mod tidy >&2)
echo "build-go-tool: building $name (takes minutes the first time; cached by version afterwards)" >&2
mkdir -p "$(dirname "$out")"
(cd "$work" && CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$out.partial" "$package" >&2)
mv "$out.partial" "$out"
printf '%s\n' "$out"
