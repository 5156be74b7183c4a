// Target resolution: flags over the init state file, and the propagation budget.
import { describe, expect, it } from "vitest";
import { UserError } from "../../../src/core/errors.js";
import { propagationBudgetMs, resolveTarget } from "../../../src/verify/target.js";
import type { InitState } from "../../../src/init/state.js";
import { CLIENT, TENANT, VAULT } from "../../helpers/verify-fixtures.js";

/** A subscription ID as init records it (verify checks the names it is given, as init does). */
const SUB = "00000000-0000-0000-0000-0000000000a1";

const state = (): InitState => ({
  version: 1,
  cloud: "sandbox",
  updatedAt: "",
  inputs: {
    subscription: SUB,
    resourceGroup: "rg",
    cluster: "aks",
    identity: "id-x",
    identityResourceGroup: "rg-id",
    namespace: "ns",
    serviceAccount: "sa",
    federatedCredential: "fic",
    roles: [{ role: "Key Vault Secrets User", scope: VAULT }],
  },
  steps: { federatedCredential: { status: "done", at: "2026-01-01T11:59:00.000Z", change: "create" } },
  outputs: {
    testPod: { namespace: "ns", name: "aks-wi-test" },
    identity: { id: "x", name: "id-x", resourceGroup: "rg-id", location: "eastus", clientId: CLIENT, principalId: "p", tenantId: TENANT },
  },
});

describe("verify target", () => {
  it("comes from the state: identity, roles, test pod, credential write time", () => {
    expect(resolveTarget({}, state(), {})).toEqual({
      subscription: SUB,
      resourceGroup: "rg",
      cluster: "aks",
      namespace: "ns",
      serviceAccount: "sa",
      identity: { subscription: SUB, resourceGroup: "rg-id", name: "id-x" },
      pod: "aks-wi-test",
      roles: [{ role: "Key Vault Secrets User", scope: VAULT }],
      federatedCredentialName: "fic",
      federatedCredentialWrittenAt: "2026-01-01T11:59:00.000Z",
    });
  });

  it("flags win; another service account does not inherit the state's identity, roles or pod", () => {
    const t = resolveTarget({ serviceAccount: "other", deployment: "web" }, state(), {});
    expect(t).toEqual({ subscription: SUB, resourceGroup: "rg", cluster: "aks", namespace: "ns", serviceAccount: "other", deployment: "web" });
    expect(resolveTarget({ pod: "p9" }, state(), {}).pod).toBe("p9");
  });

  it("an unchanged credential has no recent write time", () => {
    const s = state();
    s.steps.federatedCredential = { status: "done", at: "2026-01-01T11:59:00.000Z", change: "none" };
    expect(resolveTarget({}, s, {}).federatedCredentialWrittenAt).toBeUndefined();
  });

  it("usage errors exit 2", () => {
    const err = (() => {
      try {
        resolveTarget({ namespace: "ns" }, undefined, { subscription: "s" });
      } catch (e) {
        return e;
      }
    })() as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.kind).toBe("usage");
    expect(err.message).toBe("nothing to verify: missing --resource-group, --cluster, --service-account");
    expect(() => resolveTarget({ pod: "a", deployment: "b" }, state(), {})).toThrow(/--pod or --deployment/);
    expect(() => propagationBudgetMs({ propagationTimeout: "soon" }, {})).toThrow(UserError);
    expect(propagationBudgetMs({}, { AKS_WI_VERIFY_PROPAGATION_TIMEOUT: "2.5" })).toBe(2_500);
    expect(propagationBudgetMs({}, {})).toBe(60_000);
  });
});

describe("verify target input checks", () => {
  it("names are checked by the receiving service's rules, from flags and from the state file (exit 2)", () => {
    const e = (() => {
      try {
        resolveTarget({ namespace: "Payments", serviceAccount: "sa", subscription: "my-sub" }, undefined, { resourceGroup: "rg", cluster: "aks" });
      } catch (x) {
        return x;
      }
    })() as UserError;
    expect(e).toBeInstanceOf(UserError);
    expect(e.kind).toBe("usage");
    expect(e.message).toContain('--subscription "my-sub": subscription must be a subscription ID');
    expect(e.message).toContain('--namespace "Payments": namespace must be lower-case');
    const s = state();
    s.inputs.namespace = "Bad";
    expect(() => resolveTarget({}, s, {})).toThrow(/state file "Bad": namespace must be lower-case/);
  });
});
