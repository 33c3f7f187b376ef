# Sourced by scripts/package.sh and scripts/deploy.sh: the argument handling and the compile step they share.

# governor_parse_args ARGS...: sets
#   GOVERNOR_POLICY_DIR  the policy directory (or file) to compile: `--param=policyDir=DIR` or `--param policyDir=DIR`
#                        on the command line, else $GOVERNOR_POLICY_DIR, else policies/
#   GOVERNOR_OSLS_ARGS   the arguments for osls, without the policyDir param (the template never reads it)
#   GOVERNOR_HAS_STAGE   true when a stage was given, in any of osls's forms: --stage X, --stage=X, -s X, -s=X
#   GOVERNOR_SLACK_PREFIX the slackSecretPrefix param when given (it also goes on to osls), for the compile check
governor_parse_args() {
  GOVERNOR_POLICY_DIR="${GOVERNOR_POLICY_DIR:-policies}"
  GOVERNOR_SLACK_PREFIX="secrets-governor/slack/"
  GOVERNOR_OSLS_ARGS=()
  GOVERNOR_HAS_STAGE=false
  while (($# > 0)); do
    case "$1" in
      --stage | -s)
        GOVERNOR_HAS_STAGE=true
        GOVERNOR_OSLS_ARGS+=("$1")
        if (($# > 1)); then
          GOVERNOR_OSLS_ARGS+=("$2")
          shift
        fi
        ;;
      --stage=* | -s=*)
        GOVERNOR_HAS_STAGE=true
        GOVERNOR_OSLS_ARGS+=("$1")
        ;;
      --param=policyDir=*)
        GOVERNOR_POLICY_DIR="${1#--param=policyDir=}"
        ;;
      --param=slackSecretPrefix=*)
        GOVERNOR_SLACK_PREFIX="${1#--param=slackSecretPrefix=}"
        GOVERNOR_OSLS_ARGS+=("$1")
        ;;
      --param)
        if [[ "${2:-}" == policyDir=* ]]; then
          GOVERNOR_POLICY_DIR="${2#policyDir=}"
          shift
        elif [[ "${2:-}" == slackSecretPrefix=* ]]; then
          GOVERNOR_SLACK_PREFIX="${2#slackSecretPrefix=}"
          GOVERNOR_OSLS_ARGS+=("$1" "$2")
          shift
        else
          GOVERNOR_OSLS_ARGS+=("$1")
        fi
        ;;
      *)
        GOVERNOR_OSLS_ARGS+=("$1")
        ;;
    esac
    shift
  done
}

# governor_run CMD...: runs CMD, or with GOVERNOR_SCRIPT_DRY_RUN=1 only prints it, shell-quoted on one line
# (test/deploy/scripts.test.ts checks the argument handling that way, without packaging).
governor_run() {
  if [[ "${GOVERNOR_SCRIPT_DRY_RUN:-}" == 1 ]]; then
    printf '%q ' "$@" | sed 's/ $//'
    echo
    return 0
  fi
  "$@"
}

# governor_compile SCRIPT WHAT: validates and compiles the policy into .governor/policy.json and
# .governor/deploy-params.json, which the functions and serverless.yml read. The functions read the compiled
# policy, not the YAML (src/composition/runtime.ts), so a broken policy fails here with its file:line:col problems,
# never at a cold start.
governor_compile() {
  if ! governor_run node bin/governor.js compile --policy "$GOVERNOR_POLICY_DIR" --out .governor/policy.json \
    --slack-secret-prefix "$GOVERNOR_SLACK_PREFIX"; then
    echo "$1: $GOVERNOR_POLICY_DIR does not validate; nothing was $2" >&2
    exit 1
  fi
}
