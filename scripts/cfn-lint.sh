#!/usr/bin/env bash
# Lints the packaged CloudFormation template with cfn-lint, the Python tool (pip install cfn-lint), not the
# unrelated npm package of that name. Usage: scripts/cfn-lint.sh [template [cfn-lint options]], after
# `npm run package` (or `npm run package:org`).
set -euo pipefail
cd "$(dirname "$0")/.."
template="${1:-.serverless/cloudformation-template-update-stack.json}"
if [[ ! -f "$template" ]]; then
  echo "cfn-lint.sh: $template not found; run 'npm run package' first" >&2
  exit 2
fi
if ! command -v cfn-lint >/dev/null 2>&1 || ! cfn-lint --version 2>/dev/null | grep -q '^cfn-lint 1\.'; then
  echo "cfn-lint.sh: the Python cfn-lint 1.x is missing (pip install 'cfn-lint>=1,<2')" >&2
  exit 2
fi
exec cfn-lint --format parseable "${@:2}" -- "$template"
