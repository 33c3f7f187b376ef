/** A synthetic list-secrets inventory of N secrets with a realistic mix of states, as AWS CLI prints it. */
export function syntheticInventory(count: number, now: Date): string {
  const day = 86_400_000;
  const list: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const name = `app/service-${i % 500}/secret-${i}`;
    const created = new Date(now.getTime() - (30 + (i % 900)) * day);
    const entry: Record<string, unknown> = {
      ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-${(i % 1_000_000).toString(36).padStart(6, "a").slice(-6)}`,
      Name: name,
      RotationEnabled: i % 3 === 0,
      LastChangedDate: created.toISOString(),
      CreatedDate: i % 2 === 0 ? created.toISOString() : created.getTime() / 1000,
      Tags: [
        { Key: "team", Value: `team-${i % 40}` },
        ...(i % 50 === 0 ? [{ Key: "governor:exempt", Value: "true" }] : []),
        ...(i % 7 === 0
          ? [
              { Key: "governor:stage", Value: "flagged" },
              {
                Key: "governor:stage-since",
                Value: new Date(now.getTime() - (i % 30) * day).toISOString().slice(0, 10),
              },
            ]
          : []),
      ],
    };
    if (i % 5 !== 0)
      entry.LastAccessedDate = new Date(now.getTime() - (i % 200) * day).toISOString().slice(0, 10);
    if (i % 97 === 0) entry.OwningService = "rds";
    list.push(entry);
  }
  return JSON.stringify({ SecretList: list });
}
