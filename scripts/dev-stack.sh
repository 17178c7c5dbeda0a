#!/usr/bin/env bash
# Brings the dev stack up on this machine's Docker engine: installs dependencies, creates the
# local-backend `dev` stack on first run (state in ./.pulumi, no cloud account), runs
# `pulumi up --stack dev` and prints where to find the product.
#
#   pnpm dev:stack            # preview, then apply
#   pnpm dev:stack --destroy  # remove the containers (the Postgres volume and its password stay unless protectData=false)
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { printf 'dev-stack: %s\n' "$1" >&2; exit 1; }
step() { printf '\n==> %s\n' "$1"; }

# A laptop with Docker and the Pulumi CLI uses them as they are. Elsewhere (CI, a fresh VM) this prepares the
# machine first: a Docker engine, the base images and a Pulumi CLI built from source (scripts/engine/prepare.sh).
if ! command -v pulumi >/dev/null || ! docker info >/dev/null 2>&1; then
  step "No working Docker engine or Pulumi CLI on PATH: preparing this machine (pnpm engine:prepare)"
  env_lines=$(bash scripts/engine/prepare.sh --env) || fail "preparing the engine failed (see above); fix that, then run this again."
  eval "$env_lines"
fi

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
  step "Destroying the dev stack (the database's volume and password stay unless nexiom:protectData is false)"
  # Protected resources are the database's data and the password that opens it: destroying everything
  # else is `docker compose down`; the next `pnpm dev:stack` finds the same data, readable.
  pulumi destroy --stack dev --yes --exclude-protected
  exit 0
fi

step "Bringing the dev stack up (images are built on the first run; later runs rebuild only what changed)"
# --refresh: containers stopped or removed behind Pulumi's back (a reboot, `docker rm`) are seen and
# started or recreated, instead of being trusted from the last run's state.
pulumi up --stack dev --yes --refresh

step "Ready"
printf 'Web app:  %s\n' "$(pulumi stack output --stack dev url)"
printf 'API:      %s (try %s/health)\n' "$(pulumi stack output --stack dev apiUrl)" "$(pulumi stack output --stack dev apiUrl)"
