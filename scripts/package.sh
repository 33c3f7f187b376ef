#!/usr/bin/env bash
# Packages the stack offline into .serverless/ (or --package DIR): the CloudFormation template and one zip per
# function. Needs no AWS credentials and no network. Usage: scripts/package.sh [osls options], default --stage dev;
# `--param=policyDir=DIR` (or GOVERNOR_POLICY_DIR) compiles another policy directory than policies/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh

governor_parse_args "$@"
$GOVERNOR_HAS_STAGE || GOVERNOR_OSLS_ARGS+=(--stage dev)

# No credentials can be found or used: packaging must never depend on an account.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off

governor_compile package packaged

osls=(node_modules/.bin/osls package "${GOVERNOR_OSLS_ARGS[@]}")
if [[ "${GOVERNOR_SCRIPT_DRY_RUN:-}" == 1 ]]; then
  governor_run "${osls[@]}"
  exit 0
fi
# Where the kernel lets us (root, or user namespaces), run in a network namespace with no interface but
# loopback: a look-up in AWS would fail the packaging instead of passing unnoticed.
if [[ "${GOVERNOR_PACKAGE_NETWORK:-}" != "allow" ]] && unshare --net true 2>/dev/null; then
  exec unshare --net "${osls[@]}"
elif [[ "${GOVERNOR_PACKAGE_NETWORK:-}" != "allow" ]] && unshare --map-root-user --net true 2>/dev/null; then
  exec unshare --map-root-user --net "${osls[@]}"
fi
exec "${osls[@]}"
