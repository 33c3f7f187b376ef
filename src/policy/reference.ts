import { policyJsonSchema } from "./schema.js";

type Json = Record<string, unknown>;

function typeOf(node: Json): string {
  const options = (node.anyOf ?? node.oneOf) as Json[] | undefined;
  if (options) return options.map(typeOf).join(" or ");
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return (node.enum as unknown[]).map((v) => `\`${String(v)}\``).join(" \\| ");
  if (node.type === "array") return `list of ${typeOf((node.items as Json) ?? {})}`;
  if (node.type === "object" && !node.properties && node.additionalProperties)
    return `map of ${typeOf(node.additionalProperties as Json)}`;
  if (node.type === "integer" || node.type === "number") {
    const max =
      node.maximum !== undefined && (node.maximum as number) < Number.MAX_SAFE_INTEGER
        ? `≤ ${node.maximum}`
        : "";
    const min =
      node.minimum !== undefined && (node.minimum as number) > -Number.MAX_SAFE_INTEGER
        ? `≥ ${node.minimum}`
        : "";
    const bounds = [min, max].filter(Boolean).join(", ");
    return `${node.type}${bounds ? ` (${bounds})` : ""}`;
  }
  return String(node.type ?? "any");
}

function describeNode(node: Json): string {
  return String(node.description ?? "").replace(/\|/g, "\\|");
}

function walk(node: Json, path: string, rows: string[]): void {
  const options = (node.anyOf ?? node.oneOf) as Json[] | undefined;
  const objectForm = options?.find((o) => o.type === "object" && o.properties) ?? node;
  const properties = (objectForm.properties ??
    (node.type === "array" ? ((node.items as Json)?.properties ?? undefined) : undefined)) as
    | Record<string, Json>
    | undefined;
  const base = node.type === "array" ? `${path}[]` : path;
  // A map of objects (routes): its entries' keys, under a placeholder for the name.
  const entry = node.additionalProperties as Json | undefined;
  if (!properties && node.type === "object" && entry?.properties) {
    walk(entry, `${path}.<name>`, rows);
    return;
  }
  if (!properties) return;
  const required = new Set(
    (objectForm.required as string[] | undefined) ?? ((node.items as Json)?.required as string[]) ?? [],
  );
  for (const [key, child] of Object.entries(properties)) {
    const full = base ? `${base}.${key}` : key;
    const def = child.default !== undefined ? ` Default: \`${JSON.stringify(child.default)}\`.` : "";
    rows.push(
      `| \`${full}\` | ${typeOf(child)} | ${required.has(key) ? "yes" : ""} | ${describeNode(child)}${def} |`,
    );
    walk(child, full, rows);
    const items = child.items as Json | undefined;
    if (items && !items.properties && (items.anyOf || items.oneOf)) continue;
  }
}

/** The policy reference, generated from the same schema that validates policy files. */
export function policyReferenceMarkdown(): string {
  const rows: string[] = [];
  walk(policyJsonSchema(), "", rows);
  return [
    "# Policy reference",
    "",
    "Generated from the policy schema (`src/policy/schema.ts`) by `governor schema --markdown`; a test keeps it",
    "in step. `governor schema` prints the same schema as JSON Schema for editors.",
    "",
    "| key | type | required | meaning |",
    "|---|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
