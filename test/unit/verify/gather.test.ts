// The gatherer over fakes of our own ports: what it reads, where it reads the token from, that the
// token never reaches the facts, and the bounded wait for a propagating credential.
import { UserError } from "../../../src/core/errors.js";
import { describe, expect, it } from "vitest";
import { gather, parseEnv } from "../../../src/verify/gather.js";
import { runChecks } from "../../../src/verify/checks.js";
import type { ExchangeAttempt } from "../../../src/verify/ports.js";
import type { VerifyTarget } from "../../../src/verify/types.js";
import { NOW, TOKEN, TOKEN_FILE, jwt, verifyFakes } from "../../helpers/verify-fakes.js";
import { CLIENT, healthy, ISSUER, TENANT, VAULT } from "../../helpers/verify-fixtures.js";

const target = (over: Partial<VerifyTarget> = {}): VerifyTarget => ({ ...healthy().target, ...over });
const mismatch = (code: number): ExchangeAttempt => ({
  ok: false,
  aadsts: code,
  error: "invalid_client",
  errorDescription: `AADSTS${code}: No matching federated identity record found`,
});

describe("verify gather", () => {
  it("reads env and the token file named by the env, exchanges as the pod would, and keeps the token out of the facts", async () => {
    const { deps, w } = verifyFakes();
    const facts = await gather(target(), deps);
    expect(w.execs).toEqual([["env"], ["cat", TOKEN_FILE]]);
    expect(facts.containerEnv?.[0]?.env).toEqual({
      AZURE_CLIENT_ID: CLIENT,
      AZURE_TENANT_ID: TENANT,
      AZURE_FEDERATED_TOKEN_FILE: TOKEN_FILE,
      AZURE_AUTHORITY_HOST: "https://login.example/",
    });
    expect(facts.token?.claims).toMatchObject({ iss: ISSUER, sub: "system:serviceaccount:ns:sa", aud: ["api://AzureADTokenExchange"] });
    expect(w.exchanges).toEqual([{ clientId: CLIENT, tenantId: TENANT, assertion: TOKEN }]);
    expect(w.permissionsAsked).toEqual([VAULT]);
    expect(facts.access?.roles[0]).toMatchObject({
      role: "Key Vault Secrets User",
      scope: VAULT,
      roleDataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"],
    });
    const dump = JSON.stringify(facts);
    expect(dump).not.toContain(TOKEN.split(".")[1]!);
    expect(dump).not.toContain("c2lnbmF0dXJl");
  });

  it("a distroless pod (no env, no cat): the variables from the pod spec, the token from the TokenRequest API for the pod, said so", async () => {
    const { deps, w } = verifyFakes({ distroless: true });
    const facts = await gather(target(), deps);
    const fromSpec = w.pod.containers[0]!.env.AZURE_FEDERATED_TOKEN_FILE!; // the webhook's path, in the pod spec
    expect(w.execs).toEqual([["env"], ["cat", fromSpec]]);
    expect(w.tokenRequests).toEqual([["ns", "sa", "api://AzureADTokenExchange", w.pod.name]]);
    expect(facts.token).toMatchObject({ path: fromSpec, via: { tokenRequest: true }, claims: { sub: "system:serviceaccount:ns:sa" } });
    expect(facts.token?.error).toBeUndefined();
    // the exchange ran with the requested token, as the pod's SDK would with its file
    expect(w.exchanges).toEqual([{ clientId: CLIENT, tenantId: TENANT, assertion: TOKEN }]);
    const found = runChecks(facts);
    expect(found.find((f) => f.check === "token")).toMatchObject({ status: "PASS", message: expect.stringContaining("requested from the TokenRequest API") });
    expect(found.find((f) => f.check === "pod")).toMatchObject({ status: "PASS", message: expect.stringContaining("(pod spec)") });
    expect(JSON.stringify(facts)).not.toContain(TOKEN.split(".")[1]!);
  });

  it("waits for a freshly written credential, saying so, then records the success", async () => {
    const { deps, w, sleeps, progress } = verifyFakes();
    w.answers.push(mismatch(70021), mismatch(70021));
    const facts = await gather(target({ federatedCredentialWrittenAt: new Date(NOW - 10_000).toISOString() }), deps);
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(progress).toHaveLength(2);
    expect(progress[0]).toMatch(/^waiting for the federated credential to propagate \(Entra answered AADSTS70021\)/);
    expect(facts.exchange).toMatchObject({ ok: true, attempts: 3, waitedMs: 3_000 });
    expect(facts.access?.roles).toHaveLength(1);
  });

  it("stops waiting at its bound", async () => {
    const { deps, w, sleeps } = verifyFakes();
    for (let i = 0; i < 10; i++) w.answers.push(mismatch(700213));
    deps.propagation = { budgetMs: 5_000, initialDelayMs: 1_000, recentMs: 300_000 };
    const facts = await gather(target({ federatedCredentialWrittenAt: new Date(NOW).toISOString() }), deps);
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(facts.exchange).toMatchObject({ ok: false, aadsts: 700213, attempts: 3, waitedMs: 3_000 });
    expect(facts.access?.skipped).toBeTruthy();
  });

  it("does not wait when the credential was not written recently, or does not match the token", async () => {
    const old = verifyFakes();
    old.w.answers.push(mismatch(70021));
    const f1 = await gather(target({ federatedCredentialWrittenAt: new Date(NOW - 600_000).toISOString() }), old.deps);
    expect(old.sleeps).toEqual([]);
    expect(f1.exchange).toMatchObject({ ok: false, attempts: 1 });

    const other = verifyFakes({
      token: jwt({ iss: ISSUER, sub: "system:serviceaccount:ns:other", aud: ["api://AzureADTokenExchange"], exp: NOW / 1000 + 60 }),
    });
    other.w.answers.push(mismatch(70021));
    await gather(target({ federatedCredentialWrittenAt: new Date(NOW).toISOString() }), other.deps);
    expect(other.sleeps).toEqual([]);
  });

  it("picks a running, not-terminating pod of a Deployment", async () => {
    const { deps, w } = verifyFakes({
      pods: [
        { name: "web-old", phase: "Running", deleting: true },
        { name: "web-new", phase: "Pending", deleting: false },
        { name: "p1", phase: "Running", deleting: false },
      ],
    });
    const facts = await gather(target({ pod: undefined, deployment: "web" }), deps);
    expect(facts.pod?.name).toBe(w.pod.name);
    expect(facts.deployment?.name).toBe("web");
  });

  it("skips exchange and access without a pod", async () => {
    const { deps, w } = verifyFakes();
    const facts = await gather(target({ pod: undefined }), deps);
    expect(w.execs).toEqual([]);
    expect(w.exchanges).toEqual([]);
    expect(facts.exchange?.skipped).toMatch(/no pod/);
  });

  it("a bad --kubeconfig is the caller's input error (exit 2), not a finding; an unreachable cluster is a finding", async () => {
    const bad = verifyFakes();
    const e = await gather(target(), {
      ...bad.deps,
      kube: async () => {
        throw new UserError("cannot read kubeconfig /missing: ENOENT", "check --kubeconfig");
      },
    }).catch((x) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(e.kind).toBe("usage");
    const down = verifyFakes();
    const facts = await gather(target(), {
      ...down.deps,
      kube: async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:6443");
      },
    });
    expect(facts.serviceAccountError).toMatch(/could not be reached: connect ECONNREFUSED/);
  });

  it("reads role assignments only at the role scopes, never subscription-wide", async () => {
    const { deps, azure } = verifyFakes();
    const scopes: string[] = [];
    const list = azure.ops.listRoleAssignments;
    azure.ops.listRoleAssignments = async (scope, p) => (scopes.push(scope), list(scope, p));
    await gather(target(), deps);
    expect(scopes).toEqual([VAULT]);
  });

  it("without known roles, falls back from a forbidden subscription to the identity's resource group; forbidden everywhere is named", async () => {
    const denied = () => new UserError("AuthorizationFailed: no roleAssignments/read", undefined, "denied");
    const one = verifyFakes();
    const scopes: string[] = [];
    const list = one.azure.ops.listRoleAssignments;
    one.azure.ops.listRoleAssignments = async (scope, p) => {
      scopes.push(scope);
      if (!scope.includes("/resourceGroups/")) throw denied();
      return list(scope, p);
    };
    const f1 = await gather(target({ roles: undefined }), one.deps);
    expect(scopes).toEqual(["/subscriptions/sub", "/subscriptions/sub/resourceGroups/rg"]);
    expect(f1.access?.roles.map((r) => r.scope)).toEqual([VAULT]);

    const none = verifyFakes();
    none.azure.ops.listRoleAssignments = async () => {
      throw denied();
    };
    const f2 = await gather(target({ roles: undefined }), none.deps);
    expect(f2.access?.forbidden).toMatch(
      /may not list the identity's role assignments at \/subscriptions\/sub or \/subscriptions\/sub\/resourceGroups\/rg \(403\)/,
    );
    const f3 = await gather(target(), none.deps);
    expect(f3.access?.roles[0]?.forbidden).toMatch(/\(403\): AuthorizationFailed/);
  });

  it("an identity the operator may not look up is forbidden, not missing", async () => {
    const { deps, azure } = verifyFakes();
    azure.ops.listIdentities = async () => {
      throw new UserError("AuthorizationFailed", undefined, "denied");
    };
    const facts = await gather(target({ identity: undefined }), deps);
    expect(facts.identityForbidden).toMatch(/may not read the identities of subscription sub \(403\)/);
  });

  it("re-reads the workload's permissions for a recent assignment within its own budget, then records it as propagating", async () => {
    const none = { actions: [], notActions: [], dataActions: [], notDataActions: [] };
    const grant = { ...none, dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"] };
    const run = async (answers: (typeof none)[][], over: Partial<VerifyTarget>, roleBudgetMs = 10_000) => {
      const fk = verifyFakes();
      const exchange = fk.azure.exchange.bind(fk.azure);
      fk.azure.exchange = (p, use) => exchange(p, (arm) => use({ permissions: async () => answers.shift() ?? [grant] }));
      fk.deps.propagation = { ...fk.deps.propagation!, roleBudgetMs };
      return { ...fk, facts: await gather(target(over), fk.deps) };
    };
    const late = await run([[], [none]], { roleAssignedAt: new Date(NOW - 30_000).toISOString() });
    expect(late.sleeps).toEqual([1_000, 2_000]);
    expect(late.progress[0]).toMatch(/^waiting for the role assignment Key Vault Secrets User to propagate .*waiting up to 10 s/);
    expect(late.facts.access?.roles[0]).toMatchObject({ waitedMs: 3_000 });
    expect(late.facts.access?.roles[0]?.propagating).toBeUndefined();

    const never = await run([[], [], [], [], []], { roleAssignedAt: new Date(NOW - 30_000).toISOString() }, 4_000);
    expect(never.sleeps).toEqual([1_000, 2_000]);
    expect(never.facts.access?.roles[0]?.propagating).toEqual({ waitedMs: 3_000, assignedAt: new Date(NOW - 30_000).toISOString() });

    const old = await run([[]], { roleAssignedAt: new Date(NOW - 11 * 60_000).toISOString() });
    expect(old.sleeps).toEqual([]);
    expect(old.facts.access?.roles[0]?.propagating).toBeUndefined();
  });

  it("parses env output", () => {
    expect(parseEnv("A=1\nAZURE_X=a=b\r\nAZURE_Y=\n")).toEqual({ AZURE_X: "a=b", AZURE_Y: "" });
  });
});
