/**
 * Secrets Manager write APIs are throttled per family, per account and region, and the quota is shared with
 * every other caller in the account (Secrets Manager user guide, "Quotas"). The governor takes only a share of
 * it, so that a large sweep never starves the applications that share the account.
 */
export const WRITE_FAMILIES = ["tag", "resource-policy", "delete", "restore"] as const;
/** tag: TagResource + UntagResource; resource-policy: Get/Put/Delete/ValidateResourcePolicy. */
export type WriteFamily = (typeof WRITE_FAMILIES)[number];

/** The documented quota of each write family, in requests per second. */
export const WRITE_QUOTA_PER_SECOND: Readonly<Record<WriteFamily, number>> = {
  tag: 50,
  "resource-policy": 50,
  delete: 50,
  restore: 50,
};

export const DEFAULT_QUOTA_SHARE = 0.5;

/** What the store needs: wait until one call of this family may go. */
export interface Pacer {
  take(family: WriteFamily): Promise<void>;
}

export interface PacerOptions {
  /** Share of each family's quota the governor may use, in (0, 1]. Default 0.5. */
  share?: number;
  /** Calls that may go at once after a quiet spell. Default a fifth of a second's worth, at least 1. */
  burst?: number;
  /**
   * Each family's quota in requests per second. Default: the documented ones. The benchmark's emulated account
   * runs its clock faster and scales them with it.
   */
  quotas?: Partial<Record<WriteFamily, number>>;
  /** Milliseconds, monotonic. Default performance.now. */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Bucket {
  rate: number;
  capacity: number;
  tokens: number;
  updatedAt: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A token bucket per write family. A call takes its token at once and may take it on credit (the balance goes
 * negative); it then sleeps until the credit is repaid, so concurrent callers queue up in order without a lock.
 */
export class WritePacer implements Pacer {
  private readonly buckets = new Map<WriteFamily, Bucket>();
  private readonly clock: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: PacerOptions = {}) {
    const share = options.share ?? DEFAULT_QUOTA_SHARE;
    if (!(share > 0 && share <= 1)) throw new RangeError(`pacer share must be in (0, 1], got ${share}`);
    if (options.burst !== undefined && !(options.burst >= 1))
      throw new RangeError(`pacer burst must be at least 1, got ${options.burst}`);
    this.clock = options.clock ?? (() => performance.now());
    this.sleep = options.sleep ?? realSleep;
    const now = this.clock();
    for (const family of WRITE_FAMILIES) {
      const rate = (options.quotas?.[family] ?? WRITE_QUOTA_PER_SECOND[family]) * share;
      const capacity = options.burst ?? Math.max(1, Math.floor(rate / 5));
      this.buckets.set(family, { rate, capacity, tokens: capacity, updatedAt: now });
    }
  }

  /** Calls per second this pacer allows for a family. */
  rate(family: WriteFamily): number {
    return this.bucket(family).rate;
  }

  async take(family: WriteFamily): Promise<void> {
    const bucket = this.bucket(family);
    const now = this.clock();
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(bucket.capacity, bucket.tokens + (elapsed * bucket.rate) / 1000);
    bucket.updatedAt = now;
    bucket.tokens -= 1;
    if (bucket.tokens < 0) await this.sleep((-bucket.tokens * 1000) / bucket.rate);
  }

  private bucket(family: WriteFamily): Bucket {
    const bucket = this.buckets.get(family);
    if (!bucket) throw new RangeError(`unknown write family ${family}`);
    return bucket;
  }
}

/** A pacer that never waits: for the in-memory account and for tests that are not about pacing. */
export const NO_PACING: Pacer = { take: async () => {} };
