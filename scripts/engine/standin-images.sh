#!/usr/bin/env bash
# Makes the four official images the product names available to this machine's Docker engine:
#   node:24.18.0-alpine3.23, nginxinc/nginx-unprivileged:1.30.4-alpine, postgres:17.5-alpine, valkey/valkey:8.1-alpine
# For each tag, in this order:
#   1. an image with that tag and the label nexiom.standin.version equal to the hash of its folder under
#      test/engine/images/ (and of the base) is already there: nothing to do (a warm run takes seconds);
#   2. an image with that tag and no such label is there: it is the real image (a laptop that pulled it): kept;
#   3. `docker pull` succeeds: the real image is used and no stand-in is built;
#   4. otherwise the stand-in is built from test/engine/images/<folder>/ on a Debian bookworm base made with
#      debootstrap (rootfs cached under the engine cache, ${NEXIOM_ENGINE_CACHE:-~/.cache/nexiom-engine}/standins/).
# What the stand-ins are and how they differ from the real images: test/engine/images/README.md.
#
#   scripts/engine/standin-images.sh            # all four
#   scripts/engine/standin-images.sh --no-pull  # never try a registry (step 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
images="$repo/test/engine/images"
cache="${NEXIOM_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nexiom-engine}/standins"
label=nexiom.standin.version
base_tag=nexiom-standin/debian:bookworm
suite=bookworm
# The stand-ins, as tag=folder. The tags are the product's own (apps/*/Dockerfile, components/*/docker.ts);
# test/engine/standins.test.ts fails when the product names one that is missing here.
standins=(
  "node:24.18.0-alpine3.23=node"
  "nginxinc/nginx-unprivileged:1.30.4-alpine=nginx-unprivileged"
  "postgres:17.5-alpine=postgres"
  "valkey/valkey:8.1-alpine=valkey"
)

pull=1
for arg in "$@"; do
  case "$arg" in
    --no-pull) pull=0 ;;
    *) printf 'standin-images: unknown option %s (known: --no-pull)\n' "$arg" >&2; exit 2 ;;
  esac
done

say() { printf 'standin-images: %s\n' "$*"; }
fail() { printf 'standin-images: error: %s\n' "$*" >&2; exit 1; }
sha() { sha256sum | cut -c1-64; }
# The legacy builder: the stand-ins need no BuildKit feature, and it works with every client (Docker 28's
# `docker build` without buildx included). --force-rm: a failed step leaves no container behind.
build() { DOCKER_BUILDKIT=0 docker build --force-rm "$@"; }

command -v docker >/dev/null || fail "docker is not installed."
docker info >/dev/null 2>&1 || fail "the Docker engine is not reachable (\`docker info\` failed): start it or set DOCKER_HOST, then run scripts/engine/standin-images.sh again."
mkdir -p "$cache/logs" "$cache/npm" "$cache/context"
# One run at a time per cache: worktrees of this repository share it and the tags.
exec 9>"$cache/.lock"
if ! flock --nonblock 9; then
  say "waiting for another standin-images.sh run to finish"
  flock 9
fi
# Build contexts of this run, removed when it ends.
contexts="$(mktemp -d "$cache/context/run.XXXXXX")"
trap 'rm -rf "$contexts"' EXIT

# Content hash of a folder: paths and bytes of every file, so any edit rebuilds the stand-in.
folder_hash() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) | sha; }
image_label() { docker image inspect --format "{{ index .Config.Labels \"$label\" }}" "$1" 2>/dev/null || true; }
image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# Runs a build whose output goes to a log; on failure, shows its end and what to run.
logged() {
  local what="$1" log="$cache/logs/$2.log"; shift 2
  if ! "$@" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    fail "building $what failed (full log: $log). Fix the cause above, then run scripts/engine/standin-images.sh again."
  fi
}

# --- The apt sources the host uses, read at build time (the repository names no mirror). --------------------
# One deb822 file for the image, from the host's *.sources and sources.list entries for Debian $suite.
apt_sources() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      BEGIN { RS = ""; ORS = "\n\n" }
      /(^|\n)Suites:[^\n]*/ && $0 ~ ("Suites:[^\n]*" suite) && $0 ~ /Types:[^\n]*deb([ \n]|$)/ {
        out = ""; n = split($0, lines, "\n")
        for (i = 1; i <= n; i++) if (lines[i] !~ /^#/ && lines[i] !~ /^Types:/) out = out lines[i] "\n"
        printf "Types: deb\n%s\n", out
      }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '$1 == "deb" && $0 ~ (" " suite "[- ]") {
      uri = ""; for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { uri = $i; s = $(i + 1); break }
      comps = ""; for (j = i + 2; j <= NF; j++) comps = comps " " $j
      printf "Types: deb\nURIs: %s\nSuites: %s\nComponents:%s\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n", uri, s, comps
    }' "$f"
  done
}
# The mirror for debootstrap: the first URI that serves $suite itself (not -updates or -security).
debootstrap_mirror() {
  printf '%s' "$1" | awk -v suite="$suite" 'BEGIN { RS = "" } {
    uri = ""; ok = 0; n = split($0, lines, "\n")
    for (i = 1; i <= n; i++) {
      if (lines[i] ~ /^URIs:/) { split(lines[i], u, /[ \t]+/); uri = u[2] }
      if (lines[i] ~ /^Suites:/) { m = split(lines[i], s, /[ \t]+/); for (j = 2; j <= m; j++) if (s[j] == suite) ok = 1 }
    }
    if (ok && uri != "") { print uri; exit }
  }'
}

# --- The base: debootstrap rootfs (cached tarball) -> docker import -> test/engine/images/debian. -----------
# A minbase bookworm without manuals and translations (the official slim images drop them too), as a tarball.
make_rootfs() {
  local mirror="$1" tarball="$2" dir
  command -v debootstrap >/dev/null || fail "debootstrap is not installed (apt-get install debootstrap): it makes the Debian base of the stand-ins."
  [ "$(id -u)" = 0 ] || fail "debootstrap needs root: run scripts/engine/standin-images.sh as root (or with sudo) once; later runs reuse $tarball."
  dir="$(mktemp -d "$cache/rootfs.XXXXXX")"
  logged "the Debian $suite rootfs" debootstrap nice debootstrap --variant=minbase "$suite" "$dir" "$mirror"
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* "$dir"/var/log/bootstrap.log \
    "$dir"/usr/share/man/* "$dir"/usr/share/info/*
  find "$dir/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  tar --numeric-owner -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf "$dir"
}

base_version=""
ensure_base() {
  [ -n "$base_version" ] && return 0
  local sources mirror rootfs_key rootfs_tar rootfs_tag ca=/etc/ssl/certs/ca-certificates.crt valid_until
  sources="$(apt_sources)"
  [ -n "$sources" ] || fail "no Debian $suite apt source found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list: the Debian base of the stand-ins is built from apt's own mirror."
  # Credentials in a mirror URI would end up in every image layer.
  if printf '%s' "$sources" | grep -q '^URIs:.*://[^/]*@'; then
    fail "an apt source URI carries credentials (user@host): the stand-in base cannot copy it into an image. Use a source without credentials in the URI (apt's auth.conf.d keeps them out of the URI)."
  fi
  mirror="$(debootstrap_mirror "$sources")"
  [ -n "$mirror" ] || fail "no apt source serves the $suite suite itself: debootstrap needs one."
  [ -s "$ca" ] || fail "$ca is missing: install ca-certificates; the stand-ins trust the host's CA bundle (this network may intercept TLS)."
  # A mirror whose Release files are past their Valid-Until date (a snapshot) is accepted on the host: same in the image.
  valid_until="$(apt-config dump 2>/dev/null | awk '$1 == "Acquire::Check-Valid-Until" { gsub(/[";]/, "", $2); print $2 }')"

  # The tarball is keyed by what makes it: debootstrap's version, the suite, the mirror and the recipe above.
  rootfs_key="$( { dpkg-query -W -f '${Version}' debootstrap 2>/dev/null; echo "$suite $mirror"; declare -f make_rootfs; } | sha | cut -c1-16)"
  rootfs_tar="$cache/rootfs-debian-$suite-$rootfs_key.tar"
  rootfs_tag="nexiom-standin/debian-rootfs:$suite-$rootfs_key"
  if [ ! -s "$rootfs_tar" ]; then
    say "debootstrap Debian $suite (minbase) from apt's mirror into $rootfs_tar (a few minutes, once)"
    make_rootfs "$mirror" "$rootfs_tar"
  fi
  if ! image_exists "$rootfs_tag"; then
    say "importing $rootfs_tar as $rootfs_tag"
    docker import --change 'CMD ["bash"]' "$rootfs_tar" "$rootfs_tag" >/dev/null || fail "docker import of $rootfs_tar failed; delete it and run scripts/engine/standin-images.sh again."
    # Rootfs tarballs and imports of an earlier recipe are no longer used.
    find "$cache" -maxdepth 1 -name "rootfs-debian-$suite-*.tar" ! -name "${rootfs_tar##*/}" -delete
    docker image ls --format '{{.Repository}}:{{.Tag}}' nexiom-standin/debian-rootfs | grep -vxF "$rootfs_tag" | xargs -r docker rmi >/dev/null || true
  fi

  local ctx="$contexts/debian"
  cp -a "$images/debian" "$ctx"
  mkdir -p "$ctx/host/apt/sources.list.d" "$ctx/host/apt/apt.conf.d"
  printf '%s\n' "$sources" >"$ctx/host/apt/sources.list.d/debian.sources"
  if [ "$valid_until" = false ]; then
    printf 'Acquire::Check-Valid-Until "false";\n' >"$ctx/host/apt/apt.conf.d/50check-valid-until"
  fi
  cp "$ca" "$ctx/host/ca-certificates.crt"
  base_version="$( { folder_hash "$images/debian"; (cd "$ctx/host" && find . -type f | LC_ALL=C sort | xargs sha256sum); echo "$rootfs_tag"; } | sha)"
  if [ "$(image_label "$base_tag")" = "$base_version" ]; then
    return 0
  fi
  say "building $base_tag (apt's mirror, the host's CA bundle, security updates)"
  logged "$base_tag" debian build --pull=false --build-arg "ROOTFS=$rootfs_tag" --label "$label=$base_version" -t "$base_tag" "$ctx"
}

# --- npm packages an image installs (node): packed once from the npm registry, checked against the pinned integrity.
stage_npm_packages() {
  local list="$1" dest="$2" spec integrity file actual
  mkdir -p "$dest"
  while read -r spec integrity; do
    case "$spec" in ''|'#'*) continue ;; esac
    file="$cache/npm/$(printf '%s' "${spec%@*}" | tr -d '@' | tr '/' '-')-${spec##*@}.tgz"
    if [ ! -s "$file" ]; then
      say "npm pack $spec"
      (cd "$cache/npm" && npm pack "$spec" --silent >/dev/null) || fail "npm pack $spec failed: check that \`npm config get registry\` is reachable, then run scripts/engine/standin-images.sh again."
    fi
    actual="sha512-$(openssl dgst -sha512 -binary "$file" | base64 -w0)"
    if [ "$actual" != "$integrity" ]; then
      rm -f "$file"
      fail "$spec from the registry has integrity $actual, but $list pins $integrity: the tarball was deleted; if the pin is wrong, fix it and run scripts/engine/standin-images.sh again."
    fi
    cp "$file" "$dest/"
  done <"$list"
}

# Build arguments of the node stand-in that depend on the npm registry this machine uses.
node_build_args() {
  local signatures target=node
  # corepack checks the npm registry's ECDSA signature of the package manager it downloads; a registry (or a
  # mirror, or a TLS-intercepting proxy) that serves metadata without dist.signatures makes every download fail
  # with "No compatible signature found in package metadata". Only then does the stand-in turn the check off.
  signatures="$(npm view corepack@latest dist.signatures --json 2>/dev/null || true)"
  if [ -z "$signatures" ] || [ "$signatures" = "[]" ]; then
    say "the npm registry $1 serves no package signatures: corepack's signature check is off in the node stand-in" >&2
    target=node-unsigned-registry
  fi
  printf -- '--build-arg\nNPM_REGISTRY=%s\n--target\n%s\n' "$1" "$target"
}

# --- Each stand-in. ----------------------------------------------------------------------------------------
for entry in "${standins[@]}"; do
  tag="${entry%%=*}" dir="${entry#*=}"
  [ -d "$images/$dir" ] || fail "test/engine/images/$dir is missing (stand-in for $tag)."
  have="$(image_label "$tag")"
  if [ -z "$have" ] && image_exists "$tag"; then
    say "$tag: the real image is present; kept"
    continue
  fi
  ensure_base
  # The registry enters the version (a stand-in built against another registry is rebuilt); the signature probe
  # below does not, so that a warm run needs no network.
  registry=""
  if [ "$dir" = node ]; then registry="$(npm config get registry)"; registry="${registry%/}"; fi
  version="$( { folder_hash "$images/$dir"; echo "$base_version"; echo "$registry"; } | sha)"
  if [ "$have" = "$version" ]; then
    say "$tag: stand-in up to date"
    continue
  fi
  if [ -z "$have" ] && [ "$pull" = 1 ]; then
    if docker pull -q "$tag" >/dev/null 2>&1; then
      say "$tag: pulled the real image"
      continue
    fi
    say "$tag: no registry answered; building the stand-in from test/engine/images/$dir"
  else
    say "$tag: building the stand-in from test/engine/images/$dir"
  fi
  ctx="$contexts/$dir"
  cp -a "$images/$dir" "$ctx"
  if [ -f "$ctx/npm-packages.txt" ]; then stage_npm_packages "$ctx/npm-packages.txt" "$ctx/npm"; fi
  args=()
  if [ "$dir" = node ]; then mapfile -t args < <(node_build_args "$registry"); fi
  logged "the stand-in for $tag" "$dir" build --pull=false "${args[@]}" --label "$label=$version" -t "$tag" "$ctx"
done
say "done"
