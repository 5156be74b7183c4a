// The one retry policy: which failures are repeated, how long it waits (full jitter, Retry-After),
// the progress line of each retry, the bound, and the mark left on what stayed transient.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY,
  entraTransient,
  networkTransient,
  parseRetryAfter,
  statusTransient,
  transientOf,
  withRetry,
  type RetryEvent,
  type Transient,
} from "../../../src/core/retry.js";

class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly retryAfter?: string,
  ) {
    super(`HTTP ${status}`);
  }
}
const classify = (e: unknown): Transient | undefined => (e instanceof HttpError ? statusTransient(e.status, e.retryAfter) : networkTransient(e));

/** A call that fails with `failures` in order, then answers "ok"; records the waits and lines. */
function scripted(failures: unknown[]) {
  const waits: number[] = [];
  const lines: string[] = [];
  const events: RetryEvent[] = [];
  let calls = 0;
  const run = (random = () => 0.5) =>
    withRetry(
      async (attempt) => {
        calls++;
        expect(attempt).toBe(calls);
        if (calls <= failures.length) throw failures[calls - 1];
        return "ok";
      },
      {
        service: "Kubernetes API",
        what: "reading pod app/web",
        transientError: classify,
        onRetry: (l, e) => {
          lines.push(l);
          events.push(e);
        },
        sleep: async (ms) => {
          waits.push(ms);
        },
        random,
      },
    );
  return { run, waits, lines, events, calls: () => calls };
}

describe("withRetry", () => {
  it("repeats 429, 500, 502, 503, 504 and resets, one progress line each, and succeeds", async () => {
    const s = scripted([
      new HttpError(429, "1.5"),
      new HttpError(500),
      new HttpError(502),
      new HttpError(503, "0"),
      new HttpError(504),
      Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
    ]);
    expect(await s.run()).toBe("ok");
    expect(s.calls()).toBe(7);
    expect(s.lines[0]).toBe("Kubernetes API 429, retry 1/6 in 1.5 s (reading pod app/web)");
    expect(s.lines.map((l) => l.split(",")[0])).toEqual([
      "Kubernetes API 429",
      "Kubernetes API 500",
      "Kubernetes API 502",
      "Kubernetes API 503",
      "Kubernetes API 504",
      "Kubernetes API ECONNRESET",
    ]);
    expect(s.events.map((e) => `${e.retry}/${e.of}`)).toEqual(["1/6", "2/6", "3/6", "4/6", "5/6", "6/6"]);
  });

  it("waits as Retry-After says, else a full-jitter share of a doubling, capped ceiling", async () => {
    const s = scripted([new HttpError(503), new HttpError(503), new HttpError(429, "2"), new HttpError(503), new HttpError(503), new HttpError(503)]);
    await s.run(() => 0.5);
    // Ceilings 500, 1000, (Retry-After 2 s), 4000, 8000 (cap), 8000: half of each with random 0.5.
    expect(s.waits).toEqual([250, 500, 2000, 2000, 4000, 4000]);
    const low = scripted([new HttpError(500), new HttpError(500)]);
    await low.run(() => 0);
    expect(low.waits).toEqual([0, 0]);
    const high = scripted([new HttpError(500), new HttpError(500), new HttpError(500)]);
    await high.run(() => 0.999);
    expect(high.waits.every((w, i) => w <= DEFAULT_RETRY.baseDelayMs * 2 ** i)).toBe(true);
  });

  it("never repeats what is not transient: a 404, a 409, a 403 fail at once", async () => {
    for (const status of [400, 401, 403, 404, 409, 422]) {
      const s = scripted([new HttpError(status)]);
      await expect(s.run()).rejects.toMatchObject({ status });
      expect(s.calls()).toBe(1);
      expect(s.lines).toEqual([]);
    }
  });

  it("gives up after the bound, rethrowing the last error marked transient", async () => {
    const s = scripted(Array.from({ length: 10 }, () => new HttpError(503)));
    const e = await s.run().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(HttpError);
    expect(transientOf(e)).toBe("503");
    expect(s.calls()).toBe(DEFAULT_RETRY.retries + 1);
    expect(transientOf(new HttpError(503))).toBeUndefined();
  });

  it("retries a refused connection only twice: a blip, not a wrong address", async () => {
    const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
    const s = scripted([refused(), refused(), refused(), refused()]);
    const e = await s.run().catch((x: unknown) => x);
    expect(s.calls()).toBe(3);
    expect(s.lines[1]).toMatch(/^Kubernetes API ECONNREFUSED, retry 2\/2 in /);
    expect(transientOf(e)).toBe("ECONNREFUSED");
  });

  it("repeats answers the caller classifies (HTTP statuses returned, not thrown) and returns the last one", async () => {
    const answers = [503, 429, 200];
    const lines: string[] = [];
    const got = await withRetry(async () => answers.shift()!, {
      service: "Entra token endpoint",
      transientError: () => undefined,
      transientResult: (s) => statusTransient(s),
      onRetry: (l) => lines.push(l),
      sleep: async () => {},
      random: () => 0,
    });
    expect(got).toBe(200);
    expect(lines).toEqual(["Entra token endpoint 503, retry 1/6 in 0.0 s", "Entra token endpoint 429, retry 2/6 in 0.0 s"]);
    const last = await withRetry(async () => 503, {
      service: "x",
      transientError: () => undefined,
      transientResult: (s) => statusTransient(s),
      sleep: async () => {},
      policy: { retries: 2 },
    });
    expect(last).toBe(503);
  });
});

describe("what counts as transient", () => {
  it("Retry-After in seconds or as an HTTP date", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("0.2", now)).toBe(200);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("socket failures, through a fetch error's cause and a WebSocket error event", () => {
    expect(networkTransient(Object.assign(new Error("x"), { code: "ETIMEDOUT" }))?.reason).toBe("ETIMEDOUT");
    expect(networkTransient(new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) }))?.reason).toBe(
      "UND_ERR_SOCKET",
    );
    expect(networkTransient({ type: "error", message: "x", error: Object.assign(new Error("read"), { code: "ECONNRESET" }) })?.reason).toBe("ECONNRESET");
    expect(networkTransient(Object.assign(new Error("getaddrinfo ENOTFOUND nope"), { code: "ENOTFOUND" }))).toBeUndefined();
    expect(networkTransient(new Error("bad certificate"))).toBeUndefined();
  });

  it("Entra's transient codes and the issuer-fetch failures, not the mismatches or LoopDetected", () => {
    for (const code of [90033, 90024, 90006, 90055, 90061, 50166, 501661]) expect(entraTransient(code)?.reason).toBe(`AADSTS${code}`);
    for (const code of [70021, 700211, 700213, 700016, 90036, 50196, undefined]) expect(entraTransient(code)).toBeUndefined();
  });
});
