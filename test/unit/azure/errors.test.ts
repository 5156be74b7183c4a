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

describe("governance refusals map to their fixes", () => {
  it("MissingSubscriptionRegistration: az provider register for the namespace, in the request's subscription", () => {
    const message =
      "The subscription is not registered to use namespace 'Microsoft.ManagedIdentity'. See https://aka.ms/rps-not-found for how to register subscriptions.";
    const e = Object.assign(rest(409, "MissingSubscriptionRegistration", message), {
      request: {
        url: "https://management.azure.com/subscriptions/1111-2222/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id?api-version=x",
      },
    });
    const err = toAzureError(e, "reading identity id");
    expect(err.message).toBe(`reading identity id: MissingSubscriptionRegistration: ${message}`);
    expect(err.suggestion).toBe(
      "register the resource provider once (it takes a few minutes): az provider register --namespace Microsoft.ManagedIdentity --subscription 1111-2222, then re-run",
    );
    expect(err.kind).toBe("failed");
  });

  it("RequestDisallowedByPolicy: names the assignment and definition, and the tag it requires as --tags", () => {
    const ids = [{ policyAssignment: { name: "Require costCenter", id: "/a" }, policyDefinition: { name: "Require a tag on managed identities", id: "/d" } }];
    const body = {
      error: {
        code: "RequestDisallowedByPolicy",
        additionalInfo: [
          {
            type: "PolicyViolation",
            info: {
              evaluationDetails: {
                evaluatedExpressions: [
                  { path: "type", operator: "Equals" },
                  { path: "tags[costCenter]", operator: "Exists", targetValue: "false" },
                ],
              },
            },
          },
        ],
      },
    };
    const e = Object.assign(
      rest(403, "RequestDisallowedByPolicy", `Resource 'id-app' was disallowed by policy. Policy identifiers: '${JSON.stringify(ids)}'.`),
      {
        response: { bodyAsText: JSON.stringify(body) },
      },
    );
    const err = toAzureError(e, "creating identity id-app");
    expect(err.message).toBe("creating identity id-app: RequestDisallowedByPolicy: Resource 'id-app' was disallowed by policy.");
    expect(err.suggestion).toBe(
      'an Azure Policy denies it (assignment "Require costCenter", definition "Require a tag on managed identities"): it requires the tag costCenter; pass --tags costCenter=VALUE and re-run',
    );
    // no role lifts a policy's deny: not the "missing permission" exit
    expect(err.kind).toBe("failed");
  });

  it("RequestDisallowedByPolicy without the details: the policy's owner", () => {
    const err = toAzureError(rest(403, "RequestDisallowedByPolicy", "Resource 'x' was disallowed by policy."), "creating identity x");
    expect(err.suggestion).toMatch(/^an Azure Policy denies it: ask the policy's owner/);
  });
});
