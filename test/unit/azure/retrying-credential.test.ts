// A token request that Entra answers with a transient failure is repeated, saying so; one that
// fails for good (a wrong secret) is not.
import { describe, expect, it } from "vitest";
import { retryingCredential, tokenTransient } from "../../../src/azure/retrying-credential.js";

const unavailable = Object.assign(new Error("temporarily_unavailable: Error(s): 90033 - Description: AADSTS90033: The service is temporarily unavailable."), {
  errorResponse: { errorCodes: [90033] },
});
const badSecret = Object.assign(new Error("invalid_client: AADSTS7000215: Invalid client secret provided."), { errorResponse: { errorCodes: [7000215] } });

describe("retryingCredential", () => {
  it("repeats a transient failure (AADSTS90033, 503, a reset) and reports each retry", async () => {
    const answers: unknown[] = [unavailable, Object.assign(new Error("x"), { statusCode: 503 }), Object.assign(new Error("socket"), { code: "ECONNRESET" })];
    const lines: string[] = [];
    const cred = retryingCredential(
      {
        async getToken() {
          const next = answers.shift();
          if (next) throw next;
          return { token: "t", expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      },
      () => (line) => lines.push(line),
    );
    expect((await cred.getToken("scope"))?.token).toBe("t");
    expect(lines.map((l) => l.replace(/in \d+\.\d s/, "in N s"))).toEqual([
      "Entra token endpoint AADSTS90033, retry 1/6 in N s (signing in)",
      "Entra token endpoint 503, retry 2/6 in N s (signing in)",
      "Entra token endpoint ECONNRESET, retry 3/6 in N s (signing in)",
    ]);
  }, 30_000);

  it("does not repeat what will not change: a wrong secret, an unavailable credential", () => {
    expect(tokenTransient(badSecret)).toBeUndefined();
    expect(tokenTransient(Object.assign(new Error("ChainedTokenCredential authentication failed."), { name: "CredentialUnavailableError" }))).toBeUndefined();
  });
});
