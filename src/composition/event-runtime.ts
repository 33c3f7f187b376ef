import {
  DynamoAccessFailureCounter,
  MemoryAccessFailureCounter,
} from "../adapters/access-failure-counter.js";
import { makeDynamoDbClient } from "../adapters/aws-clients.js";
import { dynamoEventLedger, memoryEventLedger } from "../adapters/event-ledger.js";
import type { BatchDeps } from "../app/handle-batch.js";
import { DEADLINE_MARGIN_MS } from "../app/lambda-events.js";
import { notifyEventResults } from "../app/notify.js";
import type { ParsedEvent } from "../domain/events.js";
import type { AccessFailureCounter, EventLedger } from "../ports.js";
import { getRuntime, type Runtime } from "./runtime.js";
import { securityHubDeps } from "./security-hub.js";

/** The state the event handlers share through the table: which events were handled, the access-failure counts. */
interface EventState {
  ledger: EventLedger;
  accessCounter: AccessFailureCounter;
}

let state: EventState | undefined;

/** The stack's state table (GOVERNOR_STATE_TABLE), or memory with a warning when it is not set (local runs). */
function eventState(runtime: Runtime): EventState {
  const { config, policy, log } = runtime;
  const { windowMinutes, incidentAfter } = policy.accessFailures;
  const table = config.stateTable;
  if (!table) {
    log.warn(
      "GOVERNOR_STATE_TABLE is not set: handled events and access failures are remembered by this instance only",
    );
    return {
      ledger: memoryEventLedger(),
      accessCounter: new MemoryAccessFailureCounter(windowMinutes, incidentAfter),
    };
  }
  const client = makeDynamoDbClient(runtime.shared.clientOptions);
  return {
    ledger: dynamoEventLedger(client, table),
    accessCounter: new DynamoAccessFailureCounter(client, table, windowMinutes, incidentAfter),
  };
}

/**
 * What one invocation of an event handler needs: the shared runtime, the state table, this invocation's time
 * and deadline. `parse` comes from the handler, so the sweep never bundles the event schemas.
 */
export function batchDeps(
  route: string,
  now: Date,
  parse: (event: unknown) => ParsedEvent,
  deadline?: number,
): BatchDeps {
  const runtime = getRuntime();
  state ??= eventState(runtime);
  const { store, audit, exemptPrincipals, stack } = runtime.shared;
  const securityHub = securityHubDeps(runtime);
  return {
    route,
    parse,
    stack,
    log: runtime.log,
    store,
    policy: runtime.policy,
    mode: runtime.mode,
    now,
    exemptPrincipals,
    selfPrincipals: runtime.config.selfPrincipals,
    audit,
    accessCounter: state.accessCounter,
    ledger: state.ledger,
    ...(deadline !== undefined
      ? { holdMs: Math.max(deadline - Date.now() + DEADLINE_MARGIN_MS, 1_000) }
      : {}),
    notify: (results) => notifyEventResults(results, runtime.notifyDeps(now, deadline)),
    ...(securityHub ? { securityHub } : {}),
  };
}
