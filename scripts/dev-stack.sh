#!/usr/bin/env bash
# Brings the dev stack up on this machine's Docker engine: installs dependencies, creates the
# local-backend `dev` stack on first run (state in ./.pulumi, no cloud account), runs
# `pulumi up --stack dev` and prints where to find the product.
#
#   pnpm dev:stack            # preview, then apply
#   pnpm dev:stack --destroy  # remove the containers (the Postgres volume stays unless protectData=false)
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf 'dev-stack: %s\n' "$1" >&2; exit 1; }
step() { printf '\n==> %s\n' "$1"; }

command -v docker >/dev/null || fail "docker is not installed: install Docker Desktop or Docker Engine, then run this again."
docker info >/dev/null 2>&1 || fail "the Docker engine is not reachable (\`docker info\` failed): start Docker, or set DOCKER_HOST, then run this again."
command -v pulumi >/dev/null || fail "the Pulumi CLI is not installed: see https://www.pulumi.com/docs/iac/download-install/, then run this again."

step "Installing dependencies"
pnpm install --frozen-lockfile

# A local state backend and a passphrase secrets provider: the dev stack needs no Pulumi Cloud or AWS account.
# The passphrase only protects secrets of a stack that lives on this laptop; set your own to override it.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi}"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-}"
mkdir -p .pulumi

if ! pulumi stack select dev >/dev/null 2>&1; then
  step "Creating the dev stack (first run)"
  pulumi stack init dev --secrets-provider passphrase
fi

if [ "${1:-}" = "--destroy" ]; then
  step "Destroying the dev stack"
  pulumi destroy --stack dev --yes
  exit 0
fi

step "Bringing the dev stack up (images are built on the first run; later runs rebuild only what changed)"
pulumi up --stack dev --yes

step "Ready"
printf 'Web app:  %s\n' "$(pulumi stack output --stack dev url)"
printf 'API:      %s (try %s/health)\n' "$(pulumi stack output --stack dev apiUrl)" "$(pulumi stack output --stack dev apiUrl)"
