#!/usr/bin/env bash
# Packages the stack offline into .serverless/ (or --package DIR): the CloudFormation template and one zip per
# function. Needs no AWS credentials and no network. Usage: scripts/package.sh [osls options], default --stage dev.
set -euo pipefail
cd "$(dirname "$0")/.."

args=("$@")
[[ " $* " == *" --stage "* || " $* " == *" -s "* ]] || args+=(--stage dev)

# No credentials can be found or used: packaging must never depend on an account.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off

# The functions read the compiled policy, not the YAML (src/adapters/runtime.ts): validate and compile it first,
# so a broken policy fails here with its file:line:col problems, never at a cold start.
if ! node bin/governor.js compile --policy policies --out .governor/policy.json; then
  echo "package: policies/ does not validate; nothing was packaged" >&2
  exit 1
fi

osls=(node_modules/.bin/osls package "${args[@]}")
# Where the kernel lets us (root, or user namespaces), run in a network namespace with no interface but
# loopback: a look-up in AWS would fail the packaging instead of passing unnoticed.
if [[ "${GOVERNOR_PACKAGE_NETWORK:-}" != "allow" ]] && unshare --net true 2>/dev/null; then
  exec unshare --net "${osls[@]}"
elif [[ "${GOVERNOR_PACKAGE_NETWORK:-}" != "allow" ]] && unshare --map-root-user --net true 2>/dev/null; then
  exec unshare --map-root-user --net "${osls[@]}"
fi
exec "${osls[@]}"
