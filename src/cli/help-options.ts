/** The pieces of the one help table (src/cli/usage.ts): what an option and a command say in --help. */

/** One option as `governor CMD --help` shows it. */
export interface OptionHelp {
  /** What follows the flag: `FILE`, `report|enforce`; none for a switch. */
  value?: string;
  text: string;
}

export interface CommandHelp {
  summary: string;
  /** The usage lines, without `governor CMD`. */
  synopsis: string[];
  options: Record<string, OptionHelp>;
  examples: string[];
  /** What the options do not say: a paragraph or two. */
  notes?: string;
}

export const SECURITY_HUB: OptionHelp = {
  text: "with --live: import the findings into Security Hub (README, Security Hub); GOVERNOR_STATE_TABLE names the stack's record of them",
};
export const POLICY: OptionHelp = {
  value: "PATH",
  text: "a policy file, or a directory whose .yml/.yaml files are merged (default policies/)",
};
export const NOW: OptionHelp = {
  value: "ISO",
  text: "the date to decide on (default: now); decisions are by UTC day",
};
export const MODE: OptionHelp = {
  value: "report|enforce",
  text: "overrides the policy's mode; report changes nothing",
};
export const ACCOUNT: OptionHelp = {
  value: "FILE",
  text: "an embedded local account: the JSON of 'aws secretsmanager list-secrets', optionally with \"ResourcePolicies\"",
};
export const LIVE: OptionHelp = {
  text: "the live account, by the default AWS credential chain and region (AWS_ENDPOINT_URL: an emulator)",
};
export const WRITE: OptionHelp = {
  text: "save the local account's final state back to FILE (else it stays in memory)",
};
export const SLACK_URL: OptionHelp = {
  value: "URL",
  text: "post the Slack messages to this webhook-compatible URL",
};
export const SLACK_STDOUT: OptionHelp = { text: "print the Slack messages instead of posting them" };
export const HTML: OptionHelp = {
  value: "FILE",
  text: "also write the HTML report (charts, funnel, deletions due, every secret) to FILE",
};
export const ORG_HTML: OptionHelp = {
  value: "FILE",
  text: "write the organization's HTML report (unused cost by account and team, deletions due, every account-region) to FILE",
};
export const INVENTORY: OptionHelp = {
  value: "FILE",
  text: "the JSON of 'aws secretsmanager list-secrets --include-planned-deletion'",
};
export const COMPLIANCE: OptionHelp = {
  value: "FILE",
  text: "the JSON of 'aws configservice get-compliance-details-by-config-rule' (else unused is judged here)",
};
