import { describe, expect, it } from "vitest";
import { buildOrgView, type OrgAccountRegion } from "../../src/domain/org-view.js";
import { checkSlackLimits } from "../../src/report/limits.js";
import { buildOrgDigestMessages } from "../../src/report/org-digest.js";
import { heartbeatOf, secretArnOf, summaryOf } from "../helpers/org-events.js";

const now = new Date("2026-11-23T12:00:00Z");

function org(accounts: number, regions: string[], hostile = false): OrgAccountRegion[] {
  const items: OrgAccountRegion[] = [];
  for (let a = 0; a < accounts; a++) {
    const accountId = String(100000000000 + a);
    for (const region of regions)
      items.push({
        accountId,
        region,
        summary: summaryOf(accountId, region, {
          unusedMonthlyCostUsd: (a % 97) / 10,
          byTeam: [
            {
              team: hostile ? "<!channel> *pwn* `x` https://evil.example" : `team-${a % 300}`,
              secrets: 10,
              unused: 2,
              unusedMonthlyCostUsd: 0.8,
            },
          ],
          deletionsDue: [
            {
              arn: secretArnOf(accountId, region, "old"),
              name: hostile ? "<@U123> ```" : `old-${a}`,
              team: "payments",
              on: "2026-11-25T00:00:00Z",
            },
          ],
          deletionsDueTotal: 1,
        }),
        // Every seventh account-region has gone quiet.
        heartbeat: heartbeatOf(accountId, region, {
          time: a % 7 === 0 ? "2026-11-20T06:00:00Z" : "2026-11-23T06:00:00Z",
        }),
      });
  }
  return items;
}

const textOf = (payload: unknown) => JSON.stringify(payload);

describe("buildOrgDigestMessages", () => {
  it("a 1,000-account org is one readable message within Slack's limits, with the top of each list", () => {
    const view = buildOrgView(org(1000, ["eu-west-1"]), now);
    const messages = buildOrgDigestMessages(view, { table: "org-state" });
    expect(messages).toHaveLength(1);
    const [message] = messages;
    expect(checkSlackLimits(message)).toEqual([]);
    const text = textOf(message);
    expect(text).toContain("…and 990 more accounts");
    expect(text).toContain("…and 290 more teams");
    expect(text).toContain("…and 988 more deletions");
    // 143 silent (every seventh of 1,000): 20 named, the rest counted.
    expect(text).toContain("143 silent governors");
    expect(text).toContain("…and 123 more silent account-regions");
    expect(text).toContain("`governor org report --table org-state`");
    expect(text).toContain("1000 accounts, 1000 account-regions");
  });

  it("states the totals to the cent", () => {
    const view = buildOrgView(org(3, ["eu-west-1", "us-east-1"]), now);
    const text = textOf(buildOrgDigestMessages(view)[0]);
    // 6 summaries of 10 secrets, $4.00, $0.40 realised; unused cost 0, 0.1, 0.2 per region.
    expect(text).toContain("*Secrets*\\n60 ($24.00/month)");
    expect(text).toContain("*Unused*\\n12 ($0.60/month)");
    expect(text).toContain("*Savings realised this month*\\n$2.40/month");
    expect(text).toContain("*Deletions due in 7 days*\\n6");
  });

  it("renders members' words inert: no mention, link or formatting gets through", () => {
    const view = buildOrgView(org(2, ["eu-west-1"], true), now);
    const text = textOf(buildOrgDigestMessages(view)[0]);
    expect(text).not.toContain("<!channel>");
    expect(text).not.toContain("<@U123>");
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toContain("https://evil.example");
  });

  it("says when every governor is on time", () => {
    const view = buildOrgView(
      org(1, ["eu-west-1"]).map((i) => ({
        ...i,
        heartbeat: heartbeatOf(i.accountId, i.region, { time: "2026-11-23T11:00:00Z" }),
      })),
      now,
    );
    expect(textOf(buildOrgDigestMessages(view)[0])).toContain("Every governor sent its heartbeat on time");
  });
});
