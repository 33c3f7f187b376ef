import { DEFAULT_POLICY_FILE } from "../config.js";
import { GovernorError } from "../errors.js";

/** The command line was wrong: exit code 2 with the usage. */
export class UsageError extends GovernorError {}

export const USAGE = `governor: govern AWS Secrets Manager (report-only unless told to enforce)

Usage:
  governor validate [--policy PATH]
  governor compile [--policy PATH] [--out FILE]
  governor schema [--markdown]
  governor plan --inventory FILE [--compliance FILE] [--policy PATH] [--now ISO]
                [--mode report|enforce] [--format table|json]
  governor replay EVENT.json... (--account FILE [--write] | --live) [--policy PATH] [--now ISO]
                [--mode report|enforce] [--format text|json] [--slack-url URL | --slack-stdout]
                [--account-id ID] [--region REGION]
  governor sweep (--account FILE [--write] | --live) [--policy PATH] [--now ISO]
                [--mode report|enforce] [--format table|json] [--slack-url URL | --slack-stdout]
  governor restore SECRET... (--account FILE [--write] | --live) [--dry-run] [--format text|json]
  governor preflight [--region REGION]

compile validates like validate, then writes the merged policy as JSON to FILE (default ${DEFAULT_POLICY_FILE}):
the Lambda functions read that file, not the YAML; deploy-params.json beside it tells the template which Config
rules the policy needs. scripts/package.sh and scripts/deploy.sh run it first.
--account FILE is an embedded local account: the JSON of 'aws secretsmanager list-secrets', optionally with
"ResourcePolicies": {"<name or ARN>": <policy>}. Changes stay in memory unless --write saves them to FILE.
--slack-url URL posts the Slack messages to any webhook-compatible URL; --slack-stdout prints them instead.
An alert Slack refuses is printed whole on stderr, and the command exits 1.
--live uses the default AWS credential chain and region; AWS_ENDPOINT_URL points it at an emulator.
preflight checks, with the same chain, what the stack needs and does not create: an AWS Config recorder that
records AWS::SecretsManager::Secret, and a CloudTrail trail logging read and write management events.

Exit codes: 0 ok, 1 policy invalid, an action failed, an alert not delivered or a prerequisite missing,
2 bad input or usage, 70 an unexpected error (a bug).
`;
