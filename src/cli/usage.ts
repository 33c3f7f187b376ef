import { GovernorError } from "../errors.js";

/** The command line was wrong: exit code 2 with the usage. */
export class UsageError extends GovernorError {}

export const USAGE = `governor: govern AWS Secrets Manager (report-only unless told to enforce)

Usage:
  governor validate [--policy PATH]
  governor schema
  governor plan --inventory FILE [--compliance FILE] [--policy PATH] [--now ISO]
                [--mode report|enforce] [--format table|json]

Exit codes: 0 ok, 1 policy invalid, 2 bad input or usage.
`;
