// Bounded backoff on named Azure error codes, and the per-key mutex.
import { describe, expect, it } from "vitest";
import { KeyedMutex, retryOnCodes } from "../../../src/azure/retry.js";

const restError = (code: string, statusCode: number, message: string) => Object.assign(new Error(message), { name: "RestError", code, statusCode });
const fast = { initialDelayMs: 1, maxDelayMs: 4, budgetMs: 50 };

describe("retryOnCodes", () => {
  it("retries the named code until success", async () => {
    let calls = 0;
    const result = await retryOnCodes(["PrincipalNotFound"], fast, async () => {
      if (++calls < 3) throw restError("PrincipalNotFound", 400, "not yet");
      return "ok";
    });
    expect(result).toBe("ok");
    expect(calls).toBe(3);
  });
  it("does not retry other codes", async () => {
    let calls = 0;
    await expect(
      retryOnCodes(["PrincipalNotFound"], fast, async () => {
        calls++;
        throw restError("AuthorizationFailed", 403, "no");
      }),
    ).rejects.toThrow("no");
    expect(calls).toBe(1);
  });
  it("gives up once the budget is spent", async () => {
    let calls = 0;
    await expect(
      retryOnCodes(["ParentResourceNotFound"], fast, async () => {
        calls++;
        throw restError("ParentResourceNotFound", 404, "parent");
      }),
    ).rejects.toThrow("parent");
    expect(calls).toBeGreaterThan(2);
    expect(calls).toBeLessThan(30);
  });
});

describe("KeyedMutex", () => {
  it("never runs two jobs of one key at once, and keeps other keys independent", async () => {
    const m = new KeyedMutex();
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const job = (name: string) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(name);
      running--;
      if (name === "b") throw new Error("b failed");
      return name;
    };
    const results = await Promise.allSettled([m.run("id1", job("a")), m.run("id1", job("b")), m.run("id1", job("c"))]);
    expect(peak).toBe(1);
    expect(order).toEqual(["a", "b", "c"]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);

    running = 0;
    peak = 0;
    await Promise.all([m.run("x", job("x")), m.run("y", job("y"))]);
    expect(peak).toBe(2);
  });
});
