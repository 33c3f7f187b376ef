#!/usr/bin/env bash
# Packages the central stack (org/serverless.yml) offline into org/.serverless/ (or --package DIR): the
# CloudFormation template and one zip per function. Needs no AWS credentials, no network and no policy: the
# central stack governs no secret. Usage: scripts/package-org.sh [osls options], default --stage dev.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh

governor_parse_args "$@"
$GOVERNOR_HAS_STAGE || GOVERNOR_OSLS_ARGS+=(--stage dev)

unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE
export AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off

# osls reads a service from its own directory only; a relative --package DIR is taken from the repository.
args=()
for arg in "${GOVERNOR_OSLS_ARGS[@]}"; do args+=("$arg"); done
for i in "${!args[@]}"; do
  if [[ "${args[$i]}" == "--package" && -n "${args[$((i + 1))]:-}" && "${args[$((i + 1))]}" != /* ]]; then
    args[i + 1]="$PWD/${args[$((i + 1))]}"
  fi
done
osls=(../node_modules/.bin/osls package "${args[@]}")
cd org
if [[ "${GOVERNOR_SCRIPT_DRY_RUN:-}" == 1 ]]; then
  governor_run "${osls[@]}"
  exit 0
fi
if [[ "${GOVERNOR_PACKAGE_NETWORK:-}" != "allow" ]] && unshare --net true 2>/dev/null; then
  exec unshare --net "${osls[@]}"
elif [[ "${GOVERNOR_PACKAGE_NETWORK:-}" != "allow" ]] && unshare --map-root-user --net true 2>/dev/null; then
  exec unshare --map-root-user --net "${osls[@]}"
fi
exec "${osls[@]}"
