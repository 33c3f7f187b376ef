import type { Report } from "../ports.js";
import type { ButtonFactory } from "./buttons.js";
import { buildCostDigestMessage, buildDigestMessage, type NotedReport } from "./digest.js";
import { buildItemMessage } from "./item.js";
import { fitToSlackLimits } from "./limits.js";
import type { RoutedMessage } from "./message.js";

/** The route of a cost digest, or of a digest with no items, when the report names none (`Report.route`). */
export const DEFAULT_ROUTE = "default";

/**
 * Every message a report makes, each with its route, all within Slack's limits (long content is split over
 * several messages, never dropped). `items`: one message per item; `digest`: one per route; `cost`: one.
 */
export function buildMessages(
  report: NotedReport,
  now: Date = report.now ?? new Date(),
  buttons?: ButtonFactory,
): RoutedMessage[] {
  const kind = report.kind ?? "items";
  const routed: RoutedMessage[] = [];
  if (kind === "cost") {
    routed.push({ route: report.route ?? DEFAULT_ROUTE, message: buildCostDigestMessage(report, now) });
  } else if (kind === "digest") {
    const byRoute = new Map<string, Report["items"]>();
    for (const item of report.items) {
      const list = byRoute.get(item.decision.route);
      if (list) list.push(item);
      else byRoute.set(item.decision.route, [item]);
    }
    if (byRoute.size === 0) byRoute.set(report.route ?? DEFAULT_ROUTE, []);
    for (const [route, items] of byRoute)
      routed.push({ route, message: buildDigestMessage(report, route, items, now, buttons) });
  } else {
    for (const item of report.items)
      routed.push({
        route: item.decision.route,
        message: buildItemMessage(item, {
          mode: report.mode,
          now,
          ...(buttons ? { buttons } : {}),
          ...(report.accountId ? { accountId: report.accountId } : {}),
          ...(report.region ? { region: report.region } : {}),
        }),
      });
  }
  return routed.flatMap(({ route, message }) =>
    fitToSlackLimits(message).map((m) => ({ route, message: m })),
  );
}
