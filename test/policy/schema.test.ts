import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { policyJsonSchema, STANDARD_FORMATS } from "../../src/policy/schema.js";

type Schema = Record<string, unknown>;

interface StrictValidator {
  compile(schema: Schema): (data: unknown) => boolean;
}

/** Ajv's JSON Schema 2020-12 validator in strict mode, when it is installed (it is not our dependency). */
async function strictAjv(): Promise<StrictValidator | undefined> {
  const specifier = "ajv/dist/2020.js";
  try {
    const module = (await import(specifier)) as { default: new (options: object) => StrictValidator };
    return new module.default({ strict: true, allErrors: true });
  } catch {
    return undefined;
  }
}

/** The JSON Schema 2020-12 keywords the generated schema may use. */
const KEYWORDS = new Set([
  "$schema",
  "$id",
  "title",
  "description",
  "default",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "minItems",
  "anyOf",
  "oneOf",
  "enum",
  "const",
  "minimum",
  "maximum",
  "minLength",
  "maxLength",
  "pattern",
  "format",
]);

/** Every subschema of a schema, with its JSON pointer. */
function* subschemas(schema: Schema, pointer = "#"): Generator<[string, Schema]> {
  yield [pointer, schema];
  for (const [name, sub] of Object.entries((schema.properties as Record<string, Schema>) ?? {}))
    yield* subschemas(sub, `${pointer}/properties/${name}`);
  for (const key of ["items", "additionalProperties", "propertyNames"])
    if (typeof schema[key] === "object") yield* subschemas(schema[key] as Schema, `${pointer}/${key}`);
  for (const key of ["anyOf", "oneOf"])
    for (const [i, sub] of ((schema[key] as Schema[]) ?? []).entries())
      yield* subschemas(sub, `${pointer}/${key}/${i}`);
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** A small validator for the keywords above: returns the JSON pointers of the data that do not validate. */
function validate(schema: Schema, value: unknown, at = ""): string[] {
  const errors: string[] = [];
  const fail = (why: string) => errors.push(`${at || "/"}: ${why}`);
  if (schema.anyOf || schema.oneOf) {
    const options = (schema.anyOf ?? schema.oneOf) as Schema[];
    const passing = options.filter((o) => validate(o, value, at).length === 0).length;
    if (schema.oneOf ? passing !== 1 : passing === 0) fail("no option of anyOf/oneOf holds");
  }
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const types = [schema.type].flat() as string[];
    if (!types.includes(actual) && !(actual === "integer" && types.includes("number")))
      fail(`not ${types.join("|")}`);
  }
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) fail("not in enum");
  if ("const" in schema && schema.const !== value) fail("not the const");
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum) fail("below minimum");
    if (typeof schema.maximum === "number" && value > schema.maximum) fail("above maximum");
  }
  if (typeof value === "string") {
    if (typeof schema.minLength === "number" && value.length < schema.minLength) fail("too short");
    if (typeof schema.maxLength === "number" && value.length > schema.maxLength) fail("too long");
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) fail("pattern");
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems) fail("too few items");
    if (schema.items)
      for (const [i, item] of value.entries())
        errors.push(...validate(schema.items as Schema, item, `${at}/${i}`));
  }
  if (actual === "object") {
    const obj = value as Record<string, unknown>;
    const props = (schema.properties as Record<string, Schema>) ?? {};
    for (const key of (schema.required as string[]) ?? []) if (!(key in obj)) fail(`missing ${key}`);
    for (const [key, item] of Object.entries(obj)) {
      if (schema.propertyNames)
        errors.push(...validate(schema.propertyNames as Schema, key, `${at}/${key}(name)`));
      if (props[key]) errors.push(...validate(props[key], item, `${at}/${key}`));
      else if (schema.additionalProperties === false) fail(`unknown key ${key}`);
      else if (typeof schema.additionalProperties === "object")
        errors.push(...validate(schema.additionalProperties as Schema, item, `${at}/${key}`));
    }
  }
  return errors;
}

describe("policyJsonSchema", () => {
  it("is a draft 2020-12 schema of an object with the policy's top-level keys", () => {
    // Act
    const schema = policyJsonSchema();

    // Assess
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe("https://secrets-governor.dev/policy.schema.json");
    expect(schema.type).toBe("object");
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as Schema)).toEqual([
      "version",
      "mode",
      "exempt",
      "routes",
      "slack",
      "routing",
      "limits",
      "accessFailures",
      "breakGlassPrincipals",
      "rules",
    ]);
    expect((schema.properties as Record<string, Schema>).rules?.type).toBe("array");
  });

  it("uses only JSON Schema keywords, with well-formed values, in every subschema", () => {
    // Prepare
    const schema = policyJsonSchema();
    const problems: string[] = [];

    // Act
    for (const [pointer, sub] of subschemas(schema)) {
      for (const key of Object.keys(sub))
        if (!KEYWORDS.has(key)) problems.push(`${pointer}: unknown keyword ${key}`);
      if (sub.required && !(sub.required as string[]).every((k) => k in ((sub.properties as Schema) ?? {})))
        problems.push(`${pointer}: required names a key that is not in properties`);
      if (typeof sub.pattern === "string") new RegExp(sub.pattern, "u");
    }

    // Assess
    expect(problems).toEqual([]);
    expect([...subschemas(schema)].length).toBeGreaterThan(50);
  });

  it("compiles with a strict JSON Schema 2020-12 validator: no format of zod's own (starts_with)", async () => {
    // Prepare
    const schema = policyJsonSchema();
    const ajv = await strictAjv();
    const formats = [...subschemas(schema)].flatMap(([pointer, sub]) =>
      sub.format === undefined ? [] : [`${pointer}: ${String(sub.format)}`],
    );

    // Act
    const validate = ajv?.compile(schema);

    // Assess
    expect(formats.filter((f) => !STANDARD_FORMATS.has(f.split(": ")[1] ?? ""))).toEqual([]);
    if (validate) {
      expect(validate(parse(readFileSync("policies/default.yml", "utf8")))).toBe(true);
      expect(validate({ breakGlassPrincipals: ["role/BreakGlass"] })).toBe(false);
    }
  });

  it("says breakGlassPrincipals are ARNs with a standard pattern", () => {
    // Act
    const items = ((policyJsonSchema().properties as Record<string, Schema>).breakGlassPrincipals?.items ??
      {}) as Schema;

    // Assess
    expect(items).toEqual({ type: "string", pattern: "^arn:" });
  });

  it.each([
    ["the shipped policy", readFileSync("policies/default.yml", "utf8")],
    ["the split fixture's base", readFileSync("test/fixtures/policies/split/10-base.yml", "utf8")],
    ["the split fixture's team file", readFileSync("test/fixtures/policies/split/20-payments.yml", "utf8")],
  ])("accepts %s", (_label, text) => {
    // Act
    const errors = validate(policyJsonSchema(), parse(text));

    // Assess
    expect(errors).toEqual([]);
  });

  it.each([
    ["an unknown top-level key", { mdoe: "report" }, "/: unknown key mdoe"],
    ["a wrong mode", { mode: "loud" }, "/mode: not in enum"],
    ["a rule without a match", { rules: [{ name: "r", actions: ["notify"] }] }, "/rules/0: missing match"],
    [
      "an upper-case rule name",
      { rules: [{ name: "R", match: { finding: "unused" }, lifecycle: {} }] },
      "/rules/0/name: pattern",
    ],
    ["a percent over 100", { limits: { perRun: { percent: 150 } } }, "/limits/perRun/percent: above maximum"],
  ])("rejects %s", (_label, doc, expected) => {
    // Act
    const errors = validate(policyJsonSchema(), doc);

    // Assess
    expect(errors).toContain(expected);
  });
});
