import { type PolicyStatement, QUARANTINE_SID, statementsOfPolicy } from "./quarantine.js";

/**
 * What a resource policy the governor writes may be: the policy it read, with the governor's own deny statement
 * added, replaced or removed, and nothing else changed. Secrets Manager has no IAM condition key on the content of
 * a policy, so the role alone cannot hold this (README, "Security"); the code checks every body against it before
 * PutResourcePolicy, and the tests decode every body they see with the same check.
 */

const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "Action", "Resource", "Condition"]);
const PRINCIPAL_ARN_RE = /^arn:aws[a-z-]*:(iam|sts)::[0-9*?]{1,12}:\S+$/;

/** Why `statement` is not the governor's deny statement as quarantineStatement builds it, or []. */
function statementProblems(statement: PolicyStatement): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(statement))
    if (!STATEMENT_KEYS.has(key)) problems.push(`the governor's statement has the key ${key}`);
  if (statement.Effect !== "Deny") problems.push("the governor's statement does not deny");
  if (statement.Principal !== "*") problems.push("the governor's statement is not for every principal");
  if (statement.Action !== "secretsmanager:GetSecretValue")
    problems.push("the governor's statement does not deny exactly secretsmanager:GetSecretValue");
  if (statement.Resource !== "*") problems.push("the governor's statement is not on the secret itself");
  if (statement.Condition !== undefined) {
    const keys = Object.keys(statement.Condition);
    const exempt = statement.Condition.ArnNotLike?.["aws:PrincipalArn"];
    const arns = Array.isArray(exempt) ? exempt : [exempt];
    const onlyArnNotLike = keys.length === 1 && keys[0] === "ArnNotLike";
    const onlyPrincipalArn = onlyArnNotLike && Object.keys(statement.Condition.ArnNotLike ?? {}).length === 1;
    if (!onlyPrincipalArn || !arns.every((a) => typeof a === "string" && PRINCIPAL_ARN_RE.test(a)))
      problems.push(
        "the governor's statement exempts anything but principal ARNs (ArnNotLike aws:PrincipalArn)",
      );
  }
  return problems;
}

function topLevel(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === "") return {};
  const { Statement: _statement, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return rest;
}

/**
 * Why writing `after` over `before` would be more than adding, replacing or removing the governor's statement,
 * or [] when it is exactly that. `before` undefined: the secret had no policy (then `after` holds only ours).
 */
export function quarantineWriteProblems(before: string | undefined, after: string): string[] {
  let next: PolicyStatement[];
  let previous: PolicyStatement[];
  try {
    next = statementsOfPolicy(after);
    previous = statementsOfPolicy(before);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  const ours = next.filter((s) => s.Sid === QUARANTINE_SID);
  if (ours.length > 1) problems.push("the body holds the governor's statement more than once");
  for (const statement of ours) problems.push(...statementProblems(statement));
  const others = (list: PolicyStatement[]) =>
    list.filter((s) => s.Sid !== QUARANTINE_SID).map((s) => JSON.stringify(s));
  const kept = others(next);
  const had = others(previous);
  if (kept.length !== had.length || kept.some((s, i) => s !== had[i]))
    problems.push("the body changes, adds or removes a statement that is not the governor's");
  const beforeKeys =
    before === undefined || before.trim() === "" ? { Version: "2012-10-17" } : topLevel(before);
  if (JSON.stringify(topLevel(after)) !== JSON.stringify(beforeKeys))
    problems.push("the body changes the policy's top-level keys");
  return problems;
}

/** Why the governor's statement in `after` is not as quarantineStatement builds it, when the old policy is unknown. */
export function governorStatementProblems(after: string): string[] {
  let next: PolicyStatement[];
  try {
    next = statementsOfPolicy(after);
  } catch (error) {
    return [(error as Error).message];
  }
  const ours = next.filter((s) => s.Sid === QUARANTINE_SID);
  const problems = ours.length > 1 ? ["the body holds the governor's statement more than once"] : [];
  return [...problems, ...ours.flatMap(statementProblems)];
}
