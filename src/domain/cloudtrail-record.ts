/**
 * CloudTrail records as CloudTrail writes them (a log file's `Records`, `aws cloudtrail lookup-events` output,
 * a published sample), turned into the event EventBridge delivers for them, so `governor replay` takes both.
 */

/** A bare CloudTrail record: the fields every record has, and no EventBridge envelope. */
export function isCloudTrailRecord(doc: unknown): doc is Record<string, unknown> {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return false;
  const d = doc as Record<string, unknown>;
  return (
    typeof d.eventSource === "string" && typeof d.eventName === "string" && d["detail-type"] === undefined
  );
}

/** CloudTrail's "2024-10-17 21:48:45.000000000" (as some pipelines rewrite it) as ISO-8601. */
function isoTime(value: unknown): string {
  const text = String(value)
    .replace(" ", "T")
    .replace(/(\.\d{3})\d+/, "$1");
  const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(text) ? text : `${text}Z`;
  return new Date(withZone).toISOString().replace(/\.000Z$/, "Z");
}

/**
 * Wraps a bare CloudTrail record the way EventBridge delivers it: source from eventSource, detail-type from
 * eventType, the record as detail. The envelope id reuses eventID so that the wrapped event is deterministic.
 */
export function wrapCloudTrailRecord(record: Record<string, unknown>): Record<string, unknown> {
  const service = String(record.eventSource).replace(/\.amazonaws\.com$/, "");
  const detailType =
    record.eventType === "AwsServiceEvent"
      ? "AWS Service Event via CloudTrail"
      : "AWS API Call via CloudTrail";
  return {
    version: "0",
    id: String(record.eventID),
    "detail-type": detailType,
    source: `aws.${service}`,
    account: String(record.recipientAccountId),
    time: isoTime(record.eventTime),
    region: String(record.awsRegion),
    resources: [],
    detail: record,
  };
}
