/**
 * The ids of events this handler instance has handled lately. EventBridge and SQS deliver at least once: a
 * duplicate changes nothing in the account (every step is idempotent), but it would tell the owner twice. Bounded,
 * oldest forgotten first; it lives as long as the Lambda container, so a duplicate that reaches another container
 * is still handled (harmlessly) again.
 */
export class RecentEvents {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    while (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
  }

  get size(): number {
    return this.ids.size;
  }
}
