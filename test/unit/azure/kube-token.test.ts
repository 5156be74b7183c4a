// The AKS token is asked for once and reused until shortly before it expires; requests made side
// by side share one fetch.
import { describe, expect, it } from "vitest";
import { REFRESH_MARGIN_MS, aksTokenProvider } from "../../../src/azure/kube-token.js";

function credential(lifetimeMs: number, clock: () => number) {
  const calls: string[] = [];
  return {
    calls,
    profile: {
      credential: () =>
        ({
          async getToken(scope: string | string[]) {
            calls.push(String(scope));
            await new Promise((r) => setTimeout(r, 5));
            return { token: `t${calls.length}`, expiresOnTimestamp: clock() + lifetimeMs };
          },
        }) as never,
    },
  };
}

describe("aksTokenProvider", () => {
  it("reuses a token until the refresh margin before its expiry, then fetches a new one", async () => {
    let t = 1_000_000;
    const c = credential(60 * 60_000, () => t);
    const token = aksTokenProvider(c.profile, () => t);
    expect(await Promise.all([token(), token(), token()])).toEqual(["t1", "t1", "t1"]);
    t += 60 * 60_000 - REFRESH_MARGIN_MS - 1;
    expect(await token()).toBe("t1");
    t += 2;
    expect(await token()).toBe("t2");
    expect(c.calls).toEqual(["6dae42f8-4368-4678-94ff-3960e28e3630/.default", "6dae42f8-4368-4678-94ff-3960e28e3630/.default"]);
  });
});
