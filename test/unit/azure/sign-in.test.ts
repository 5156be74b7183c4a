// Who the run acts as, from the token's claims (decoded locally, never printed), and what the
// user sees when no credential of the chain signs in: one line per credential, and az login.
import { describe, expect, it } from "vitest";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { retryingCredential } from "../../../src/azure/retrying-credential.js";
import { signedInFrom, signedInLine, signInFailure, SignInError, tellingCredential, tokenClaims } from "../../../src/azure/sign-in.js";
import { toAzureError } from "../../../src/azure/errors.js";

const jwt = (claims: Record<string, unknown>) => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

/** What @azure/identity's ChainedTokenCredential throws when every credential fails. */
function aggregate(): Error {
  const e = new Error("ChainedTokenCredential authentication failed.\nCredentialUnavailableError: EnvironmentCredential is unavailable.");
  return Object.assign(e, {
    name: "AggregateAuthenticationError",
    errors: [
      Object.assign(new Error("EnvironmentCredential is unavailable. No underlying credential could be used.\nTo troubleshoot, visit https://aka.ms/x"), {
        name: "CredentialUnavailableError",
      }),
      Object.assign(new Error("ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available."), {
        name: "CredentialUnavailableError",
      }),
      Object.assign(new Error("Please run 'az login' from a command prompt to authenticate before using this credential."), {
        name: "CredentialUnavailableError",
      }),
    ],
  });
}

describe("signed in as", () => {
  it("a user by UPN, an application by its app ID, with the tenant and the credential", () => {
    expect(
      signedInLine(signedInFrom(jwt({ upn: "alice@contoso.com", tid: TENANT, appid: "04b07795-8ddb-461a-bbee-02f9e1bf7b46" }), "AzureCliCredential")),
    ).toBe(`Signed in as alice@contoso.com (tenant ${TENANT}) via AzureCliCredential`);
    expect(
      signedInLine(signedInFrom(jwt({ appid: "a-p-p", tid: TENANT }), "ManagedIdentityCredential"), { name: "AzureUSGovernment", origin: "--cloud" }),
    ).toBe(`Signed in as app a-p-p (tenant ${TENANT}) via ManagedIdentityCredential in AzureUSGovernment (--cloud)`);
    expect(signedInFrom(jwt({ azp: "v2-app" }), "X").who).toBe("app v2-app");
    expect(tokenClaims("not-a-jwt")).toEqual({});
  });

  it("names the credential of the chain that gave the token (getTokenInternal), else the credential itself", async () => {
    const token: AccessToken = { token: jwt({ upn: "a@b" }), expiresOnTimestamp: Date.now() + 3_600_000 };
    class AzureCliCredential implements TokenCredential {
      async getToken() {
        return token;
      }
    }
    const chain = {
      getToken: async () => token,
      getTokenInternal: async (_s: string | string[], _o?: GetTokenOptions) => ({ token, successfulCredential: new AzureCliCredential() }),
    };
    const told = tellingCredential(chain);
    expect(told.via()).toBe("Object");
    await told.getToken("scope");
    expect(told.via()).toBe("AzureCliCredential");
    const plain = tellingCredential(new AzureCliCredential());
    await plain.getToken("scope");
    expect(plain.via()).toBe("AzureCliCredential");
    // the retry wrapper passes the name on
    expect(retryingCredential(told, () => undefined).via?.()).toBe("AzureCliCredential");
  });
});

describe("no credential signs in", () => {
  it("one line per credential tried and az login as the fix; exit 4 (denied)", () => {
    const e = signInFailure(aggregate())!;
    expect(e).toBeInstanceOf(SignInError);
    expect(e.kind).toBe("denied");
    expect(e.message).toBe(
      [
        "no credential could sign in to Azure; tried 3:",
        "  - EnvironmentCredential is unavailable. No underlying credential could be used.",
        "  - ManagedIdentityCredential: Authentication failed. Message Attempted to use the IMDS endpoint, but it is not available.",
        "  - Please run 'az login' from a command prompt to authenticate before using this credential.",
      ].join("\n"),
    );
    expect(e.suggestion).toMatch(/^sign in with az login/);
    expect(e.suggestion).toContain("AZURE_TOKEN_CREDENTIALS=AzureCliCredential");
    // an Azure call that meets it keeps it whole
    expect(toAzureError(e, "reading cluster c")).toBe(e);
    expect(signInFailure(new Error("other"))).toBeUndefined();
  });

  it("the profile's credential turns the chain's failure into it, without retrying", async () => {
    let calls = 0;
    const cred = retryingCredential(
      {
        async getToken() {
          calls++;
          throw aggregate();
        },
      },
      () => undefined,
    );
    await expect(cred.getToken("scope")).rejects.toBeInstanceOf(SignInError);
    expect(calls).toBe(1);
  });
});
