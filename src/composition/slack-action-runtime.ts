import { makeDynamoDbClient, makeSecretsManagerClient } from "../adapters/aws-clients.js";
import { dynamoEventLedger, memoryEventLedger } from "../adapters/event-ledger.js";
import { WritePacer } from "../adapters/pacer.js";
import { SecretsManagerStore } from "../adapters/secrets-manager.js";
import { PowertoolsSlackAppSecrets } from "../adapters/slack-app-secrets.js";
import { FetchSlackResponder, HttpSlackDirectory } from "../adapters/slack-interactivity.js";
import type { SlackActionDeps } from "../app/slack-action.js";
import type { EventLedger, SlackAppSecrets, SlackDirectory } from "../ports.js";
import { getRuntime } from "./runtime.js";

/** What the slack-action function keeps per container: the ledger, the Slack app's secrets, the directory. */
interface SlackActionState {
  store: SecretsManagerStore;
  ledger: EventLedger;
  secrets: SlackAppSecrets;
  directory: SlackDirectory;
  responder: FetchSlackResponder;
}

let state: SlackActionState | undefined;

function slackActionState(): SlackActionState {
  const runtime = getRuntime();
  const { config, policy, log } = runtime;
  const table = config.stateTable;
  if (!table)
    log.warn("GOVERNOR_STATE_TABLE is not set: button presses are remembered by this instance only");
  const ledger = table
    ? dynamoEventLedger(makeDynamoDbClient(runtime.shared.clientOptions), table)
    : memoryEventLedger();
  const secrets = new PowertoolsSlackAppSecrets(makeSecretsManagerClient(runtime.shared.clientOptions), {
    signingSecret: policy.slack.signingSecret,
    ...(policy.slack.botTokenSecret ? { botToken: policy.slack.botTokenSecret } : {}),
  });
  // A press makes two or three writes of one family (tag, untag; get, put a policy): they go at once (burst),
  // while the sustained rate stays at the function's small share (GOVERNOR_WRITE_SHARE).
  const client = makeSecretsManagerClient(runtime.shared.clientOptions);
  const store = new SecretsManagerStore(client, new WritePacer({ share: config.writeShare, burst: 5 }));
  return {
    store,
    ledger,
    secrets,
    directory: new HttpSlackDirectory(() => secrets.botToken()),
    responder: new FetchSlackResponder(),
  };
}

/** The dependencies of one button press: the shared runtime (audit, stack) plus the Slack side and its store. */
export function slackActionDeps(now: Date): SlackActionDeps {
  const runtime = getRuntime();
  state ??= slackActionState();
  const { audit, stack } = runtime.shared;
  return {
    policy: runtime.policy,
    mode: runtime.mode,
    stack,
    audit,
    log: runtime.log,
    now,
    ...state,
  };
}
