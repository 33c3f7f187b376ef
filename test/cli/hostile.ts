import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";

/**
 * Text an attacker controls (a secret name, a principal, a user agent, an error message) carrying each terminal
 * trick: an OSC window title, an OSC 8 hyperlink, bidi override and isolate, a CR and an erase-line to rewrite
 * the line, C1 CSI/OSC/ST, a zero-width space and DEL.
 */
export const HOSTILE =
  "\u001b]0;pwned\u0007\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\" +
  "\u202Eevil\u2066\r\u001b[2Kfake\u009b31m\u009d0;t\u009c\u200B\u007f";

/**
 * HOSTILE as the terminal sanitiser shows it, each removed character as a `[U+XXXX]` marker; the same on one line
 * and in multi-line text, as it holds no newline or tab.
 */
export const HOSTILE_SHOWN =
  "[U+001B]]0;pwned[U+0007][U+001B]]8;;https://evil.example[U+001B]\\click[U+001B]]8;;[U+001B]\\" +
  "[U+202E]evil[U+2066][U+000D][U+001B][2Kfake[U+009B]31m[U+009D]0;t[U+009C][U+200B][U+007F]";

/**
 * Written independently of src/cli/terminal.ts: the characters that must never reach a terminal raw. Newline
 * and tab are layout and allowed.
 */
const RAW_CONTROL =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must not get through.
  /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B\u200E\u200F\u2028\u2029\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/;

/** No raw control or invisible character in what was printed; `shown` (the markers) is, when given. */
export function expectTerminalSafe(output: string, ...shown: string[]): void {
  expect(output).not.toMatch(RAW_CONTROL);
  expect(output).not.toContain("\u001b");
  for (const text of shown) expect(output).toContain(text);
}

/** Output less the SGR codes the CLI emits itself (its colours and the reset), to check what is left. */
export function withoutOwnColours(output: string): string {
  return [1, 31, 32, 33, 34, 35, 36, 90, 0].reduce((text, n) => text.replaceAll(`\u001b[${n}m`, ""), output);
}

/**
 * The example account plus `app/hostile…`, a copy of app/flagged-20d (due for quarantine, governor tags set)
 * whose name and resource policy carry HOSTILE. Its ARN, account and region are the example account's.
 */
export function hostileAccount(): { file: string; arn: string } {
  const account = JSON.parse(readFileSync("examples/account.json", "utf8"));
  const due = account.SecretList.find((s: { Name: string }) => s.Name === "app/flagged-20d");
  const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/hostile-Zz99Yy";
  account.SecretList.push({ ...due, ARN: arn, Name: `app/hostile${HOSTILE}` });
  account.ResourcePolicies[arn] = {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadsIt",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::123456789012:role/r${HOSTILE}` },
        Action: "secretsmanager:GetSecretValue",
        Resource: "*",
      },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), "governor-")), "account.json");
  writeFileSync(file, JSON.stringify(account));
  return { file, arn };
}
