// Azure failures become one-line errors with a kind, and a hint naming what to fix.
import { describe, expect, it } from "vitest";
import { AzureError, isNotFound, scopeCall, toAzureError } from "../../../src/azure/errors.js";

const rest = (statusCode: number, code: string, message: string) => Object.assign(new Error(message), { name: "RestError", statusCode, code });

describe("scopeCall", () => {
  it.each([
    ["a missing resource", rest(404, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/vaults/nope' under resource group 'rg' was not found.")],
    ["a missing resource group", rest(404, "ResourceGroupNotFound", "Resource group 'nope' could not be found.")],
    ["a missing subscription", rest(404, "SubscriptionNotFound", "The subscription '0000' could not be found.")],
  ])("%s in the scope: the hint names --scope, not --resource-group", async (_what, e) => {
    const err = await scopeCall("/subscriptions/s/resourceGroups/nope", "listing role assignments", async () => {
      throw e;
    }).catch((x) => x);
    expect(err).toBeInstanceOf(AzureError);
    expect(err.message).toMatch(/^listing role assignments: \w+NotFound: /);
    expect(err.suggestion).toBe(
      "check --scope /subscriptions/s/resourceGroups/nope: it must be the full resource ID of an existing resource, group or subscription",
    );
  });

  it("other failures keep their own hint", async () => {
    const err = await scopeCall("/subscriptions/s", "listing role assignments", async () => {
      throw rest(403, "AuthorizationFailed", "no");
    }).catch((x) => x);
    expect(err.suggestion).toMatch(/lacks permission/);
  });
});

describe("toAzureError", () => {
  it("names Azure's code, keeps one line and suggests what to do", () => {
    const e = toAzureError(rest(403, "AuthorizationFailed", "The client 'x' does not have authorization\n{json body}"), "creating role assignment");
    expect(e).toBeInstanceOf(AzureError);
    expect(e.message).toBe("creating role assignment: AuthorizationFailed: The client 'x' does not have authorization");
    expect(e.suggestion).toMatch(/lacks permission/);
    expect(e.kind).toBe("denied"); // a permission the principal lacks: exit 4
    expect(toAzureError(rest(404, "ResourceNotFound", "gone"), "reading x").kind).toBe("failed");
  });
  it("recognises not-found", () => {
    expect(isNotFound(rest(404, "ResourceNotFound", "x"))).toBe(true);
    expect(isNotFound(rest(403, "AuthorizationFailed", "x"))).toBe(false);
  });
});
