import { describe, expect, it } from "vitest";
import type { Decision } from "../../src/domain/decision.js";
import type { Report, ReportItem } from "../../src/ports.js";
import { buildMessages } from "../../src/report/build.js";
import { escapeMrkdwn, unescapeMrkdwn } from "../../src/report/escape.js";
import { EXAMPLE_NOW, exampleDecision, exampleSecret, examples } from "../../src/report/examples.js";
import { KEPT_BODY_MAX_CHARS, readKeptAlert } from "../../src/report/kept-alert.js";
import {
  context,
  divider,
  fields,
  header,
  message,
  type RoutedMessage,
  type SlackMessage,
  section,
} from "../../src/report/message.js";
import { HOSTILE as TERMINAL_TRICKS } from "../cli/hostile.js";

const ROUTES = ["default", "payments", "platform"];
const CONSOLE =
  "<https://eu-west-1.console.aws.amazon.com/secretsmanager/secret?name=app%2Fdb&amp;region=eu-west-1|Open in the AWS console>";

/** A failed delivery as the dead letter holds it. */
function bodyOf(route: string, payload: unknown): string {
  return JSON.stringify({ route, reason: "HTTP 503", retryable: true, payload });
}

/** What the sweep would post for a body, or why it would not. */
function read(body: string): { posted?: string; reason?: string } {
  const out = readKeptAlert(body, ROUTES);
  return "alert" in out ? { posted: JSON.stringify(out.alert.payload) } : { reason: out.reason };
}

/** Messages the governor's builders make from caller-controlled text carrying every trick we know of. */
function hostileBuilt(): RoutedMessage[] {
  const tricks = [
    "<!channel>",
    "<!here>",
    "<@U123>",
    "<#C12345>",
    "<!subteam^S1|@ops>",
    "<https://evil.example|Click to re-login>",
    "https://evil.example/login",
    "&amp; &lt;!channel&gt; &#60;!here&#62;",
    "*bold* _it_ ~strike~ `tick` ```fence```",
    "\u202Egnp.exe\u2066",
    TERMINAL_TRICKS,
    "🔐 مفتاح",
  ].join(" ");
  const secret = exampleSecret(`app/${tricks.slice(0, 150)}`, {
    description: tricks,
    tags: { owner: tricks, team: tricks },
  });
  const access: ReportItem = {
    secret,
    finding: {
      type: "access-denied",
      secretId: tricks,
      source: "cloudtrail",
      status: "open",
      observedAt: EXAMPLE_NOW,
      access: {
        api: "GetSecretValue",
        principalArn: `arn:aws:iam::123456789012:user/${tricks}`,
        userAgent: tricks,
        errorCode: "AccessDeniedException",
        errorMessage: `${tricks}\n${tricks}`,
        sourceIp: tricks,
      },
    },
    decision: exampleDecision(secret, { finding: "access-denied", reason: tricks, route: "payments" }),
  };
  const rotation: ReportItem = {
    secret,
    finding: {
      type: "rotation-failed",
      secretId: secret.arn,
      source: "cloudtrail",
      status: "open",
      observedAt: EXAMPLE_NOW,
      message: tricks,
    },
    decision: exampleDecision(secret, { finding: "rotation-failed", action: "notify", reason: tricks }),
  };
  // Enough lines for a digest that is split over several messages.
  const many: ReportItem[] = Array.from({ length: 400 }, (_, i) => {
    const s = exampleSecret(`svc-${i}/${tricks.slice(0, 40)}`);
    const action: Decision["action"] = i % 7 === 0 ? "schedule-deletion" : "tag";
    return { secret: s, decision: exampleDecision(s, { action, stage: "flagged", route: "payments" }) };
  });
  const reports: Report[] = [
    { mode: "enforce", now: EXAMPLE_NOW, items: [access, rotation] },
    { mode: "report", now: EXAMPLE_NOW, items: [access] },
    { mode: "enforce", now: EXAMPLE_NOW, kind: "digest", items: many, failedDeliveries: 3 },
    { mode: "enforce", now: EXAMPLE_NOW, kind: "cost", route: "platform", items: many },
  ];
  // Sixty notes make a digest of more than 50 blocks: it is split, each part marked "(n/m)".
  return reports.flatMap((r, i) =>
    buildMessages({ ...r, notes: Array.from({ length: i === 2 ? 60 : 1 }, () => tricks) } as Report),
  );
}

describe("readKeptAlert: what the governor built", () => {
  const built: [string, RoutedMessage][] = [
    ...examples().flatMap((e) =>
      buildMessages(e.report).map((m, i) => [`${e.id} #${i}`, m] as [string, RoutedMessage]),
    ),
    ...hostileBuilt().map((m, i) => [`from hostile input #${i}`, m] as [string, RoutedMessage]),
  ];

  it("covers single alerts, split digests and the cost digest", () => {
    expect(built.length).toBeGreaterThan(15);
    expect(built.some(([, m]) => m.message.text.includes("(continued"))).toBe(true);
  });

  it.each(built)("%s comes back byte for byte, for the same route", (_, { route, message: payload }) => {
    // Act
    const out = readKeptAlert(bodyOf(route, payload), [route]);

    // Assess
    expect(out).toEqual({ alert: { route, reason: "HTTP 503", retryable: true, payload } });
    expect("alert" in out && JSON.stringify(out.alert.payload)).toBe(JSON.stringify(payload));
  });

  it("takes an escaped mention as the text it shows: it is inert, and the builders make exactly that", () => {
    const payload = message("x", [section(escapeMrkdwn("<!channel> & <@U1>"))]);
    expect(read(bodyOf("default", payload))).toEqual({ posted: JSON.stringify(payload) });
  });
});

/** A governor-shaped message with one part replaced. */
function withSection(text: string): SlackMessage {
  return message("Unused secret flagged", [header(":lock: Unused secret"), section(text)]);
}

const HOSTILE_BODIES: [string, string, RegExp][] = [
  [
    "<!channel> in a section's text",
    bodyOf("default", withSection("hi <!channel>")),
    /blocks\[1\]\.text\.text: a link, mention or command/,
  ],
  [
    "<!here> in the fallback text",
    bodyOf("default", message("<!here> re-login", [section("x")])),
    /^text: a link, mention or command/,
  ],
  [
    "<@U123> in a context",
    bodyOf("default", message("x", [context("ping <@U123>")])),
    /blocks\[0\]\.elements\[0\]\.text: a link, mention/,
  ],
  [
    "a phishing link in a section's text",
    bodyOf("default", withSection("Your session expired. <https://evil.example|Click to re-login>")),
    /a link, mention or command the governor does not send: "<https:\/\/evil\.example\|Click to re-login>"/,
  ],
  [
    "a mrkdwn link in a field",
    bodyOf("default", message("x", [fields(["*Secret*\n<https://evil.example/login|app/db>"])])),
    /blocks\[0\]\.fields\[0\]\.text: a link/,
  ],
  [
    "a link with the console label to another host",
    bodyOf(
      "default",
      withSection("<https://evil.example/?name=app%2Fdb&amp;region=eu-west-1|Open in the AWS console>"),
    ),
    /a link, mention or command/,
  ],
  [
    "the console link with a label of its own",
    bodyOf("default", withSection(CONSOLE.replace("Open in the AWS console", "Click to re-login"))),
    /a link, mention or command/,
  ],
  [
    "the console link to a host that only starts like the console's",
    bodyOf("default", withSection(CONSOLE.replace("amazon.com/", "amazon.com.evil.example/"))),
    /a link, mention or command/,
  ],
  [
    "the console link in the header",
    bodyOf("default", message("x", [header(CONSOLE)])),
    /blocks\[0\]\.text\.text: a link/,
  ],
  [
    "a user-group mention",
    bodyOf("default", withSection("<!subteam^S1|@ops>")),
    /a link, mention or command/,
  ],
  [
    "a half-open mention",
    bodyOf("default", withSection("<!channel")),
    /not escaped as the governor escapes text, near "<!channel"/,
  ],
  [
    "a bare URL",
    bodyOf("default", withSection("re-login at https://evil.example/login")),
    /not escaped as the governor escapes text, near ".*https:\/\/evil/,
  ],
  [
    "numeric entities",
    bodyOf("default", withSection("&#60;!channel&#62;")),
    /not escaped as the governor escapes text/,
  ],
  [
    "a bidi override",
    bodyOf("default", message("x", [header("\u202Egnp.exe")])),
    /blocks\[0\]\.text\.text: not escaped/,
  ],
  ["a control character", bodyOf("default", withSection("a\u001b]8;;https://evil\u0007b")), /not escaped/],
  [
    "an image block",
    bodyOf(
      "default",
      message("x", [{ type: "image", image_url: "https://evil.example/a.png", alt_text: "a" } as never]),
    ),
    /not a message the governor builds \(payload\.blocks\.0\.type/,
  ],
  [
    "an actions block with a button URL",
    bodyOf(
      "default",
      message("x", [
        {
          type: "actions",
          elements: [
            { type: "button", text: { type: "plain_text", text: "Re-login" }, url: "https://evil.example" },
          ],
        } as never,
      ]),
    ),
    /not a message the governor builds/,
  ],
  [
    "a section with a button accessory",
    bodyOf(
      "default",
      message("x", [
        { ...section("x"), accessory: { type: "button", url: "https://evil.example" } } as never,
      ]),
    ),
    /not a message the governor builds/,
  ],
  [
    "a section with text and fields",
    bodyOf("default", message("x", [{ ...section("x"), fields: [{ type: "mrkdwn", text: "y" }] }])),
    /a section of text and fields/,
  ],
  [
    "a plain_text section",
    bodyOf("default", message("x", [{ type: "section", text: { type: "plain_text", text: "x" } } as never])),
    /not a message the governor builds/,
  ],
  [
    "mrkdwn marked verbatim",
    bodyOf(
      "default",
      message("x", [{ type: "section", text: { type: "mrkdwn", text: "x", verbatim: true } } as never]),
    ),
    /not a message the governor builds/,
  ],
  [
    "attachments",
    bodyOf("default", { ...message("x", []), attachments: [{ text: "<!channel>" }] }),
    /not a message the governor builds/,
  ],
  [
    "a username and icon",
    bodyOf("default", {
      ...message("x", []),
      username: "AWS Security",
      icon_url: "https://evil.example/i.png",
    }),
    /not a message the governor builds/,
  ],
  [
    "parse: full and link_names",
    bodyOf("default", { ...message("x", []), parse: "full", link_names: 1 }),
    /not a message the governor builds/,
  ],
  [
    "unfurled links",
    bodyOf("default", { ...message("x", []), unfurl_links: true }),
    /not a message the governor builds \(payload\.unfurl_links/,
  ],
  [
    "51 blocks",
    bodyOf(
      "default",
      message(
        "x",
        Array.from({ length: 51 }, () => divider),
      ),
    ),
    /^blocks: over Slack's blocks limit \(51 > 50\)/,
  ],
  [
    "a 151-character header",
    bodyOf("default", message("x", [header("h".repeat(151))])),
    /blocks\[0\]\.text\.text: over Slack's headerText limit/,
  ],
  [
    "a 3,001-character section",
    bodyOf("default", withSection("s".repeat(3_001))),
    /blocks\[1\]\.text\.text: over Slack's sectionText limit/,
  ],
  [
    "a body over the size of any kept alert",
    bodyOf("default", withSection("s".repeat(KEPT_BODY_MAX_CHARS))),
    /^the body is \d+ characters, more than any alert the governor keeps/,
  ],
  [
    "an unknown route",
    bodyOf("attacker-channel", withSection("hello")),
    /^route "attacker-channel" is not one of the policy's routes/,
  ],
  [
    "an inherited name as route",
    bodyOf("constructor", withSection("hello")),
    /^route "constructor" is not one of the policy's routes/,
  ],
  ["a body that is not JSON", "{not json", /^the body is not JSON$/],
  ["an empty body", "", /^the body is not JSON$/],
  ["null", "null", /not a message the governor builds \(body:/],
  [
    "a FailedDelivery with more fields",
    JSON.stringify({ ...JSON.parse(bodyOf("default", withSection("x"))), webhook: "https://evil" }),
    /not a message the governor builds/,
  ],
  [
    "a __proto__ key",
    bodyOf("default", withSection("x")).replace(
      '"retryable":true',
      '"retryable":true,"__proto__":{"url":"https://evil"}',
    ),
    /Unrecognized key: "__proto__"/,
  ],
  [
    "a payload without blocks",
    bodyOf("default", { text: "x" }),
    /not a message the governor builds \(payload\.blocks/,
  ],
];

describe("readKeptAlert: anything else is refused whole", () => {
  it.each(HOSTILE_BODIES)("%s", (_, body, reason) => {
    // Act
    const out = read(body);

    // Assess
    expect(out.posted).toBeUndefined();
    expect(out.reason).toMatch(reason);
  });

  it("quotes at most a short excerpt of the offending text in its reason", () => {
    const out = read(bodyOf("default", withSection(`<!channel> ${"x".repeat(5_000)}>`)));
    expect(out.reason?.length).toBeLessThan(200);
  });
});

describe("unescapeMrkdwn", () => {
  it.each([
    "a & b < c > d",
    "&amp;lt; is shown as &lt;",
    "&#60; &quot; &amp",
  ])("undoes escapeMrkdwn exactly: %s", (text) => {
    expect(unescapeMrkdwn(escapeMrkdwn(text))).toBe(text);
  });

  it("decodes in one pass, so an escaped entity stays an entity", () => {
    expect(unescapeMrkdwn("&amp;lt;!channel&amp;gt;")).toBe("&lt;!channel&gt;");
  });
});
