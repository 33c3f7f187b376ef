import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  AlertsNotKeptError,
  MemoryAlertDeadLetter,
  SqsAlertDeadLetter,
} from "../../src/adapters/alert-dead-letter.js";
import { AdapterError } from "../../src/errors.js";
import type { FailedDelivery } from "../../src/ports.js";
import { message, section } from "../../src/report/message.js";

const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/secrets-governor-alerts";

const sqs = mockClient(SQSClient);

function alert(n: number, text = `alert ${n}`): FailedDelivery {
  return { route: "payments", reason: "HTTP 503", retryable: true, payload: message(text, [section(text)]) };
}

function deadLetter(): SqsAlertDeadLetter {
  return new SqsAlertDeadLetter(new SQSClient({ region: "eu-west-1" }), QUEUE);
}

/** The alerts each SendMessageBatch call carried, parsed back. */
function sentBatches(): FailedDelivery[][] {
  return sqs
    .commandCalls(SendMessageBatchCommand)
    .map((c) =>
      (c.args[0].input.Entries ?? []).map((e) => JSON.parse(e.MessageBody ?? "") as FailedDelivery),
    );
}

beforeEach(() => sqs.reset());

describe("SqsAlertDeadLetter.put", () => {
  it("stores every alert, ten a batch, as JSON that reads back whole", async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const alerts = Array.from({ length: 25 }, (_, i) => alert(i));

    // Act
    await deadLetter().put(alerts);

    // Assess
    expect(sentBatches().map((b) => b.length)).toEqual([10, 10, 5]);
    expect(sentBatches().flat()).toEqual(alerts);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(QUEUE);
  });

  it("keeps each batch within SQS's 256 KiB, whatever the alerts' scripts weigh in UTF-8", async () => {
    // Prepare: Arabic text is two bytes a character, emoji four.
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const alerts = Array.from({ length: 10 }, (_, i) =>
      alert(i, `${"مفتاح".repeat(2_400)}${"🔐".repeat(2_000)}`),
    );

    // Act
    await deadLetter().put(alerts);

    // Assess
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.length).toBeGreaterThan(1);
    for (const call of calls) {
      const bytes = (call.args[0].input.Entries ?? []).reduce(
        (n, e) => n + Buffer.byteLength(e.MessageBody ?? "", "utf8"),
        0,
      );
      expect(bytes).toBeLessThanOrEqual(256 * 1024);
    }
    expect(sentBatches().flat()).toEqual(alerts);
  });

  it("tries every batch after a failure and names exactly the alerts it did not store", async () => {
    // Prepare: batch 1 stored, batch 2 refuses its 4th entry, batch 3 fails whole.
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [] })
      .resolvesOnce({ Failed: [{ Id: "3", Code: "InternalError", SenderFault: false }] })
      .rejectsOnce(Object.assign(new Error("Service Unavailable"), { name: "ServiceUnavailable" }));
    const alerts = Array.from({ length: 25 }, (_, i) => alert(i));

    // Act
    const error = await deadLetter()
      .put(alerts)
      .catch((e: unknown) => e);

    // Assess
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
    expect(error).toBeInstanceOf(AlertsNotKeptError);
    expect(error).toBeInstanceOf(AdapterError);
    const notKept = (error as AlertsNotKeptError).notKept;
    expect(notKept).toEqual([alerts[13], ...alerts.slice(20)]);
    expect(error).toMatchObject({ retryable: true, operation: "SendMessageBatch" });
    expect((error as Error).message).toMatch(
      /^6 of 25 alerts not kept: InternalError; SendMessageBatch failed/,
    );
  });

  it("stores nothing and calls nothing for no alerts", async () => {
    await deadLetter().put([]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toEqual([]);
  });
});

describe("SqsAlertDeadLetter.take", () => {
  const good = (n: number) => ({
    MessageId: `m${n}`,
    ReceiptHandle: `r${n}`,
    Body: JSON.stringify(alert(n)),
  });

  it("hands back every body as SQS holds it, unread, with its message id: the sweep judges them", async () => {
    // Prepare
    const hostile = JSON.stringify({ ...alert(9), payload: { text: "<!channel>", blocks: [] } });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          good(1),
          { MessageId: "bad", ReceiptHandle: "r-bad", Body: "{not json" },
          { MessageId: "hostile", ReceiptHandle: "r-hostile", Body: hostile },
          { MessageId: "empty", ReceiptHandle: "r-empty" },
          { MessageId: "no-receipt", Body: JSON.stringify(alert(3)) },
        ],
      })
      .resolves({ Messages: [] });

    // Act
    const kept = await deadLetter().take(100);

    // Assess: a message without a receipt handle could never be acked, so it is not taken.
    expect(kept.map(({ id, body }) => ({ id, body }))).toEqual([
      { id: "m1", body: JSON.stringify(alert(1)) },
      { id: "bad", body: "{not json" },
      { id: "hostile", body: hostile },
      { id: "empty", body: "" },
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toEqual([]);
  });

  it("hides what it takes for the sweep's whole run, so nothing reappears while it is re-sent", async () => {
    // Prepare
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [good(1)] })
      .resolves({ Messages: [] });

    // Act
    await deadLetter().take(100);

    // Assess
    const inputs = sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.VisibilityTimeout)).toEqual([900, 900]);
    expect(inputs[0]).toMatchObject({ QueueUrl: QUEUE, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 });
  });

  it("takes the visibility timeout it is given", async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    await new SqsAlertDeadLetter(new SQSClient({ region: "eu-west-1" }), QUEUE, {
      visibilityTimeoutSeconds: 1_800,
    }).take(5);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]?.args[0].input.VisibilityTimeout).toBe(1_800);
  });

  it("takes at most `max`", async () => {
    // Prepare
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages?: number }) => ({
      Messages: Array.from({ length: input.MaxNumberOfMessages ?? 1 }, (_, i) => good(i)),
    }));

    // Act
    const kept = await deadLetter().take(15);

    // Assess
    expect(kept).toHaveLength(15);
    expect(sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input.MaxNumberOfMessages)).toEqual([
      10, 5,
    ]);
  });

  it("stops after a bounded number of receives when SQS keeps answering with messages it cannot ack", async () => {
    // Prepare
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [{ MessageId: "m", Body: "x" }] });

    // Act
    const kept = await deadLetter().take(10);

    // Assess
    expect(kept).toEqual([]);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(3);
  });

  it("acks by deleting the message it came in; a failed delete is an AdapterError", async () => {
    // Prepare
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [good(1), good(2)] })
      .resolves({ Messages: [] });
    sqs
      .on(DeleteMessageCommand)
      .resolvesOnce({})
      .rejectsOnce(Object.assign(new Error("throttled"), { name: "ThrottlingException" }));
    const [first, second] = await deadLetter().take(10);

    // Act
    await first?.ack();
    const error = await second?.ack().catch((e: unknown) => e);

    // Assess
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: QUEUE, ReceiptHandle: "r1" },
      { QueueUrl: QUEUE, ReceiptHandle: "r2" },
    ]);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ operation: "DeleteMessage", retryable: true });
  });

  it("throws an AdapterError when SQS cannot be read", async () => {
    sqs.on(ReceiveMessageCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDenied" }));
    const error = await deadLetter()
      .take(10)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect(error).toMatchObject({ operation: "ReceiveMessage" });
  });
});

describe("MemoryAlertDeadLetter", () => {
  it("keeps alerts until acked, and hands them back as JSON, as the queue does", async () => {
    // Prepare
    const memory = new MemoryAlertDeadLetter();
    await memory.put([alert(1), alert(2)]);

    // Act
    const [first] = await memory.take(1);
    await first?.ack();

    // Assess
    expect(first?.body).toBe(JSON.stringify(alert(1)));
    expect(memory.kept).toEqual([alert(2)]);
  });
});
