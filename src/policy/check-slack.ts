import type { Policy } from "./schema.js";

/** Does a route name anyone who may press its buttons? Nobody named: its alerts carry no buttons. */
export function routeHasActors(policy: Policy, route: string): boolean {
  const actors = Object.hasOwn(policy.routes, route) ? policy.routes[route]?.actors : undefined;
  return (actors?.users?.length ?? 0) + (actors?.userGroups?.length ?? 0) > 0;
}

/** Does any route show buttons? Then the stack needs the signing secret, the team and the channel. */
export function slackActionsEnabled(policy: Policy): boolean {
  return Object.keys(policy.routes).some((route) => routeHasActors(policy, route));
}

/**
 * The semantic checks of the Slack keys: a route whose people may act must say which channel it posts to, the
 * policy which workspace; user groups need a token to look their members up; a snooze within its bound; the
 * signing secret is not a webhook secret (the two are read for different ends, and neither is ever governed).
 */
export function checkSlack(policy: Policy, atKey: (path: string[], message: string) => void): void {
  for (const [name, route] of Object.entries(policy.routes)) {
    if (!routeHasActors(policy, name)) continue;
    if (!route.channel)
      atKey(
        ["routes", name, "actors"],
        `route '${name}' names people who may act from Slack but no channel: add routes.${name}.channel (the id of the channel its webhook posts to)`,
      );
    if (!policy.slack.teamId)
      atKey(
        ["routes", name, "actors"],
        `route '${name}' names people who may act from Slack but the policy names no workspace: add slack.teamId`,
      );
    if ((route.actors?.userGroups?.length ?? 0) > 0 && !policy.slack.botTokenSecret)
      atKey(
        ["routes", name, "actors", "userGroups"],
        "user groups are looked up with Slack's usergroups.users.list: add slack.botTokenSecret (a bot token with usergroups:read)",
      );
    if (route.webhookSecret === policy.slack.signingSecret)
      atKey(
        ["slack", "signingSecret"],
        `the signing secret cannot be route '${name}''s webhook secret: keep them in two secrets`,
      );
  }
  const { days, maxDays } = policy.slack.snooze;
  if (days > maxDays)
    atKey(["slack", "snooze", "days"], `snooze.days (${days}) is more than snooze.maxDays (${maxDays})`);
}
