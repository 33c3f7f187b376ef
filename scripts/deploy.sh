#!/usr/bin/env bash
# Deploys the stack with osls, with the caller's AWS credentials. `osls deploy` packages again, and the functions
# ship whatever .governor/policy.json holds, so the policy is compiled first, exactly as scripts/package.sh does.
# Usage: scripts/deploy.sh [osls deploy options]; `--param=policyDir=DIR` (or GOVERNOR_POLICY_DIR) as for package.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh

governor_parse_args "$@"
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off

governor_compile deploy deployed
governor_run node_modules/.bin/osls deploy "${GOVERNOR_OSLS_ARGS[@]}"
