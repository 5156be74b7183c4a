// Which AADSTS code Entra reports for a presented (issuer, subject, audience) against an
// identity's federated credentials, and which credentials it honours yet.
import { describe, expect, test } from "vitest";
import { honouredCredentials, matchCredential } from "../../../sandbox/login/federation.js";
import type { FederatedCredentialRecord } from "../../../sandbox/core/world.js";
import type { ServiceContext } from "../../../sandbox/core/types.js";

const ISS = "https://oidc.example/tenant/guid/";
const SUB = "system:serviceaccount:default:app";
const AUD = "api://AzureADTokenExchange";

const fic = (issuer: string, subject: string, audience = AUD, updatedAt = 0, identityKey = "/id/a"): FederatedCredentialRecord => ({
  id: `${identityKey}/f/${issuer}${subject}${audience}`,
  name: "f",
  identityKey,
  issuer,
  subject,
  audiences: [audience],
  createdAt: updatedAt,
  updatedAt,
});

const code = (fics: FederatedCredentialRecord[], p = { iss: ISS, sub: SUB, aud: [AUD] }) => matchCredential(fics, p)?.code;

describe("matchCredential", () => {
  test("an exact match passes", () => expect(code([fic(ISS, SUB)])).toBeUndefined());
  test("no credentials at all → 70021", () => expect(code([])).toBe(70021));
  test("issuer differs (even by its trailing slash) → 700211", () => expect(code([fic(ISS.slice(0, -1), SUB)])).toBe(700211));
  test("issuer matches, subject differs → 700213", () => expect(code([fic(ISS, "system:serviceaccount:default:other")])).toBe(700213));
  test("subject differs only by case → 7002138", () => expect(code([fic(ISS, SUB.toUpperCase())])).toBe(7002138));
  test("issuer and subject match, audience differs → 700212", () => expect(code([fic(ISS, SUB, "api://other")])).toBe(700212));
  test("audience is compared case-sensitively", () => expect(code([fic(ISS, SUB, AUD.toLowerCase())])).toBe(700212));
  test("reports against the closest credential: one with the right issuer and subject wins over others", () => {
    expect(code([fic("https://elsewhere/", SUB), fic(ISS, "x"), fic(ISS, SUB, "api://other")])).toBe(700212);
    expect(code([fic("https://elsewhere/", SUB), fic(ISS, "x")])).toBe(700213);
  });
  test("any of several audiences in the assertion may match", () => {
    expect(code([fic(ISS, SUB)], { iss: ISS, sub: SUB, aud: ["api://first", AUD] })).toBeUndefined();
  });
  test("70021 names the presented issuer, subject and audience", () => {
    expect(matchCredential([], { iss: ISS, sub: SUB, aud: [AUD] })!.message).toContain(
      `Assertion Issuer: '${ISS}'. Assertion Subject: '${SUB}'. Assertion Audience: '${AUD}'.`,
    );
  });
});

describe("honouredCredentials", () => {
  function fakeCtx(now: number, ficPropagationMs: number, fics: FederatedCredentialRecord[]): ServiceContext {
    const state = {
      identities: { "/id/a": { id: "/ID/A", clientId: "CLIENT-A" }, "/id/b": { id: "/id/b", clientId: "client-b" } },
      federatedCredentials: Object.fromEntries(fics.map((f) => [f.id, f])),
    };
    return { now: () => now, latency: { ficPropagationMs }, world: { state } } as unknown as ServiceContext;
  }

  test("only the identity's own credentials, once propagated", () => {
    const mine = fic(ISS, SUB, AUD, 1_000);
    const fresh = fic(ISS, "fresh", AUD, 1_500);
    const other = fic(ISS, SUB, AUD, 0, "/id/b");
    const ctx = fakeCtx(2_000, 800, [mine, fresh, other]);
    expect(honouredCredentials(ctx, "client-a").map((f) => f.subject)).toEqual([SUB]);
    expect(
      honouredCredentials(fakeCtx(2_300, 800, [mine, fresh, other]), "CLIENT-A")
        .map((f) => f.subject)
        .sort(),
    ).toEqual(["fresh", SUB].sort());
    expect(honouredCredentials(ctx, "unknown")).toEqual([]);
  });
});
