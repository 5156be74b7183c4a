// Our own waits, only where Azure documents an eventual-consistency delay the SDK pipeline does
// not retry: a new identity's principal (PrincipalNotFound) or parent (ParentResourceNotFound)
// not yet replicated, and a cluster busy with another operation. Everything else is left to the
// SDK's retry policy.
import { sleep } from "../core/util.js";
import { errorCode } from "./errors.js";

export interface BackoffOptions {
  /** First delay; doubles each attempt up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Gives up (rethrowing the last error) once this much time has been spent waiting. */
  budgetMs: number;
}

/** Retries `fn` while it fails with one of `codes`, with capped exponential backoff. */
export async function retryOnCodes<T>(
  codes: readonly string[],
  opts: BackoffOptions,
  fn: () => Promise<T>,
  onRetry?: (code: string, delayMs: number) => void,
): Promise<T> {
  let delay = opts.initialDelayMs;
  let waited = 0;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      const code = errorCode(e);
      if (!code || !codes.includes(code) || waited + delay > opts.budgetMs) throw e;
      onRetry?.(code, delay);
      await sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, opts.maxDelayMs);
    }
  }
}

/** One mutex per key: callers with the same key run one after another, in call order. */
export class KeyedMutex {
  private tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
