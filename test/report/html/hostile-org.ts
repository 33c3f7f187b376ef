import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HOSTILE_NAMES } from "./hostile-inventory.js";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:`;

/**
 * examples/org copied to a temporary folder, with, in 111122223333-eu-west-1.json, one secret per hostile name,
 * named and team-tagged with it: unused (never read, created long ago), and every other one pending deletion
 * three days after `now`, so hostile names are chart labels, deletion labels and list entries.
 */
export function hostileOrg(now: string): { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "governor-hostile-org-"));
  cpSync("examples/org", dir, { recursive: true });
  const file = join(dir, `${ACCOUNT}-${REGION}.json`);
  const inventory = JSON.parse(readFileSync(file, "utf8"));
  const deleted = new Date(Date.parse(now) + 3 * 86_400_000).toISOString();
  HOSTILE_NAMES.forEach((name, i) => {
    inventory.SecretList.push({
      ARN: `${ARN}hostile-${i}-Ab${String(i).padStart(4, "0")}`,
      Name: name,
      Description: `<b>${name}</b>`,
      RotationEnabled: false,
      CreatedDate: "2025-01-01T00:00:00+00:00",
      ...(i % 2 === 0 ? { DeletedDate: deleted } : {}),
      Tags: [
        { Key: "team", Value: name },
        { Key: "owner", Value: name },
      ],
    });
  });
  writeFileSync(file, JSON.stringify(inventory));
  return { dir };
}
