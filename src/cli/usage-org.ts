import { type CommandHelp, MODE, NOW, ORG_HTML, POLICY } from "./help-options.js";

/** The organization plane's commands, `governor org SUBCOMMAND` (src/cli/org.ts dispatches): one entry each. */
export const ORG_COMMANDS = {
  // The organization plane: `governor org SUBCOMMAND` (src/cli/org.ts dispatches), one entry per subcommand.
  "org stackset": {
    summary: "make the packaged template a StackSet template and print the org rollout commands",
    synopsis: [
      "--artifacts-bucket-prefix PREFIX --regions LIST --ou LIST [--template FILE]",
      "[--out FILE] [--template-url URL] [--artifacts-key-prefix PREFIX]",
      "[--stack-set-name NAME] [--mode report|enforce] [--org-bus-arn ARN]",
    ],
    options: {
      template: {
        value: "FILE",
        text: "the packaged template (default .serverless/cloudformation-template-update-stack.json, from npm run package)",
      },
      "artifacts-bucket-prefix": {
        value: "PREFIX",
        text: "the function zips come from the bucket PREFIX-REGION in each region (a stack parameter's default)",
      },
      "artifacts-key-prefix": {
        value: "PREFIX",
        text: "their key prefix in those buckets (default secrets-governor/)",
      },
      regions: { value: "LIST", text: "comma-separated regions to deploy to, e.g. eu-west-1,us-east-1" },
      ou: { value: "LIST", text: "comma-separated organizational unit ids (ou-...) or the root id (r-...)" },
      "stack-set-name": { value: "NAME", text: "default secrets-governor" },
      mode: { value: "report|enforce", text: "the stack parameter Mode of every instance (default report)" },
      "org-bus-arn": {
        value: "ARN",
        text: "the central event bus (org/ stack): every governor reports there (stack parameter OrgBusArn)",
      },
      out: {
        value: "FILE",
        text: "write the template to FILE and print the commands (else the template on stdout)",
      },
      "template-url": {
        value: "URL",
        text: "where you upload the template in S3: needed when it is over the 51,200 bytes --template-body takes",
      },
    },
    examples: [
      "governor org stackset --artifacts-bucket-prefix acme --regions eu-west-1,us-east-1 --ou ou-ab12-34cd56ef \\\n    --out stackset.json --template-url https://acme-eu-west-1.s3.eu-west-1.amazonaws.com/stackset.json",
    ],
    notes:
      "Without a deployment bucket and with each function's code from the artifacts bucket of its own region, so one\ntemplate serves every account and region; compact JSON. Over 51,200 bytes, CloudFormation needs the template\nfrom S3: --template-url. The commands are printed, never run: run them from the management account or a\ndelegated administrator (add --call-as DELEGATED_ADMIN).",
  },
  "org plan": {
    summary: "the org-wide plan and cost roll-up over a folder of inventories; touches no AWS",
    synopsis: [
      "DIR [--policy PATH] [--now ISO] [--mode report|enforce] [--format table|json|csv]",
      "[--rows regions|teams|deletions] [--html FILE]",
    ],
    options: {
      policy: POLICY,
      now: NOW,
      mode: MODE,
      format: {
        value: "table|json|csv",
        text: "table (default without --html), json, or csv (for a spreadsheet)",
      },
      rows: {
        value: "regions|teams|deletions",
        text: "what the CSV lists: account-regions (default), teams, or the deletions due in 7 days",
      },
      html: ORG_HTML,
    },
    examples: [
      "governor org plan examples/org --now 2026-11-23T00:00:00Z",
      "governor org plan examples/org --now 2026-11-23T00:00:00Z --html org.html",
    ],
    notes:
      "DIR holds one 'aws secretsmanager list-secrets --include-planned-deletion' JSON per account and region, named\nACCOUNT-REGION.json (123456789012-eu-west-1.json), or any name when its ARNs say the account and region. A\nfile whose ARNs name another account or region than its name, or several, is refused (exit 2).",
  },
  "org report": {
    summary: "the organization's view: cost by account and team, deletions due, silent governors",
    synopsis: ["(--table NAME | --input FILE) [--now ISO] [--format table|json|csv] [--html FILE]"],
    options: {
      table: {
        value: "NAME",
        text: "the central stack's table (output OrgStateTableName), by the default AWS credential chain and region",
      },
      input: {
        value: "FILE",
        text: "offline: a JSON array of org events as the central bus receives them, checked as the aggregator checks them",
      },
      now: { value: "ISO", text: "the time to judge silence and deletions due against (default: now)" },
      format: {
        value: "table|json|csv",
        text: "table (default without --html), json (the whole view) or csv (one row per account-region)",
      },
      html: ORG_HTML,
    },
    examples: [
      "governor org report --table secrets-governor-org-prod-OrgStateTable-ABC123",
      "governor org report --input org-events.json --now 2026-11-23T12:00:00Z --format csv",
      "governor org report --table secrets-governor-org-prod-OrgStateTable-ABC123 --html org.html",
    ],
    notes:
      "The same view as the scheduled org digest, without its limits: every account, team, deletion due and\nsilent governor. A governor is silent when its last heartbeat is older than two of its sweep intervals,\nor when it sent a summary and never a heartbeat.",
  },
} satisfies Record<string, CommandHelp>;
