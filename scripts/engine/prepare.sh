#!/usr/bin/env bash
# pnpm engine:prepare — makes this machine able to run the dev stack for real: a Docker engine with
# BuildKit (buildx), the base images the product names, and the Pulumi CLI with a Node.js language host
# and the resource plugins the dev stack uses. Idempotent; seconds when everything is cached.
#
#   pnpm engine:prepare          prepare, printing progress
#   scripts/engine/prepare.sh --env
#                                the same, then print `export ...` lines for the shell (eval them)
#
# What already works is left alone: with `docker info` and `pulumi version` answering (a laptop with
# Docker Desktop and the Pulumi CLI), nothing is installed or started, and the real images and plugins
# are used. On a machine without them (CI here), everything that cannot be downloaded is built:
#   - Docker: Debian's docker.io, dockerd started with its state under the cache; buildx from the Go module proxy.
#   - Images: stand-ins for the official base images (test/engine/images/README.md), unless a registry answers.
#   - Pulumi: the CLI from the Go module proxy at the version package.json pins, and stand-ins for the
#     language host and the docker, docker-build and random plugins, which the proxy does not serve
#     (test/engine/plugins/README.md).
# Caches live in ${NEXIOM_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nexiom-engine}, keyed by version.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export NEXIOM_ENGINE_CACHE="${NEXIOM_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nexiom-engine}"
cache=$NEXIOM_ENGINE_CACHE
bin="$root/.pulumi/engine-bin"
print_env=false
[ "${1:-}" = "--env" ] && print_env=true

step() { printf '==> engine: %s\n' "$1" >&2; }
fail() { printf 'engine:prepare: %s\n' "$1" >&2; exit 1; }
mkdir -p "$cache" "$bin"
original_path=$PATH
export PATH="$bin:$PATH"

# --- Docker engine -------------------------------------------------------------------------------
if docker info >/dev/null 2>&1; then
  step "Docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
else
  if ! command -v dockerd >/dev/null; then
    [ "$(id -u)" = 0 ] || fail "no Docker engine and not root: install Docker (Docker Desktop or Debian's docker.io), then run this again."
    step "Installing Debian's docker.io"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io iptables >/dev/null
  fi
  [ "$(id -u)" = 0 ] || fail "dockerd is installed but not running, and starting it needs root: start Docker, then run this again."
  step "Starting dockerd (state in $cache/docker, log in $cache/dockerd.log)"
  mkdir -p "$cache/docker"
  # A daemon killed without cleaning up (a CI run's end) leaves its pid file; dockerd refuses to start if
  # that PID now belongs to a live process, so drop the file unless it names a running dockerd.
  if [ -f "$cache/dockerd.pid" ] && [ "$(cat "/proc/$(cat "$cache/dockerd.pid")/comm" 2>/dev/null)" != dockerd ]; then
    rm -f "$cache/dockerd.pid"
  fi
  # setsid: the daemon outlives this script and is not killed with its process group.
  setsid dockerd --data-root "$cache/docker" --pidfile "$cache/dockerd.pid" >>"$cache/dockerd.log" 2>&1 </dev/null &
  for _ in $(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || fail "dockerd did not answer within 60 s; its log: $cache/dockerd.log"$'\n'"$(tail -n 20 "$cache/dockerd.log")"
  step "dockerd is ready (pid $(cat "$cache/dockerd.pid"))"
fi

# --- BuildKit through buildx (what docker-build drives) -----------------------------------------
buildx_version=v0.38.2
if ! docker buildx version >/dev/null 2>&1; then
  step "Building buildx $buildx_version from the Go module proxy (cached)"
  buildx=$(scripts/engine/build-go-tool.sh github.com/docker/buildx "$buildx_version" github.com/docker/buildx/cmd/buildx docker-buildx \
    "-X github.com/docker/buildx/version.Version=$buildx_version")
  mkdir -p "$HOME/.docker/cli-plugins"
  ln -sf "$buildx" "$HOME/.docker/cli-plugins/docker-buildx"
fi
step "buildx: $(docker buildx version | cut -d' ' -f1-2)"

# --- Base images ---------------------------------------------------------------------------------
bash scripts/engine/standin-images.sh >&2

# --- Pulumi CLI, language host and plugins -------------------------------------------------------
standins=false
if command -v pulumi >/dev/null && [ ! -L "$bin/pulumi" ]; then
  step "Pulumi CLI answers ($(pulumi version)): using it and its own plugins"
else
  [ -d node_modules/@pulumi/pulumi ] || { step "Installing dependencies (pnpm install)"; pnpm install --frozen-lockfile >&2; }
  sdk_version=$(node -p 'require("@pulumi/pulumi/package.json").version')
  cli=$(scripts/engine/build-go-tool.sh github.com/pulumi/pulumi/pkg/v3 "v$sdk_version" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi pulumi \
    "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$sdk_version")
  ln -sf "$cli" "$bin/pulumi"
  standins=true
  # Wrappers for the stand-ins, on PATH as `ambient` plugins, which the CLI prefers to downloading.
  tsx=$(node -p 'require.resolve("tsx/cjs")')
  for plugin in language-nodejs:language-nodejs resource-docker:docker-provider resource-docker-build:docker-build-provider resource-random:random-provider; do
    name=${plugin%%:*} source=${plugin#*:}
    printf '#!/bin/sh\n# Stand-in plugin (test/engine/plugins/README.md), written by scripts/engine/prepare.sh.\nexec node --require "%s" "%s/test/engine/plugins/%s.ts" "$@"\n' \
      "$tsx" "$root" "$source" > "$bin/pulumi-$name"
    chmod +x "$bin/pulumi-$name"
  done
  step "Pulumi CLI $("$bin/pulumi" version) built from the Go module proxy; language host and plugins are stand-ins"
fi

if $print_env; then
  printf 'export PATH=%q\n' "$bin:$original_path"
  # With the stand-ins, a missing plugin fails loudly instead of trying a network that is not there.
  if $standins; then printf 'export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_SKIP_UPDATE_CHECK=true\n'; fi
fi
