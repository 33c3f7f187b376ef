import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Names, tags and descriptions that would run script if the report put them into markup unescaped. */
export const HOSTILE_NAMES = [
  "<img src=x onerror=alert(1)>",
  "</script><script>alert(1)</script>",
  '" onmouseover="alert(1)" x="',
  "' autofocus onfocus='alert(1)",
  "<svg onload=alert(1)>",
] as const;

/** Cells a spreadsheet would take for a formula, in names and tags. */
export const FORMULA_NAMES = [
  '=HYPERLINK("http://x")',
  "+1+cmd",
  "-2+3",
  "@SUM(A1)",
  "\tlead",
  "\rlead",
] as const;

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";

/**
 * examples/inventory.json plus, per hostile name, an unused secret (never read, created long ago) whose team,
 * owner and description are hostile too; `formula` adds the formula-injection names the same way.
 */
export function hostileInventory(options: { formula?: boolean } = {}): { file: string; dir: string } {
  const inventory = JSON.parse(readFileSync("examples/inventory.json", "utf8"));
  const names = [...HOSTILE_NAMES, ...(options.formula ? FORMULA_NAMES : [])];
  names.forEach((name, i) => {
    inventory.SecretList.push({
      ARN: `${ARN}hostile-${i}-Ab${String(i).padStart(4, "0")}`,
      Name: name,
      Description: `<b>${name}</b>`,
      RotationEnabled: false,
      CreatedDate: "2025-01-01T00:00:00+00:00",
      Tags: [
        { Key: "team", Value: i % 2 === 0 ? name : "<i>team</i>" },
        { Key: "owner", Value: name },
      ],
    });
  });
  const dir = mkdtempSync(join(tmpdir(), "governor-hostile-"));
  const file = join(dir, "inventory.json");
  writeFileSync(file, JSON.stringify(inventory));
  return { file, dir };
}
