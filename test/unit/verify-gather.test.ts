// The gatherer over fakes of our own ports: what it reads, where it reads the token from, that the
// token never reaches the facts, and the bounded wait for a propagating credential.
import { UserError } from "../../src/core/errors.js";
import { describe, expect, it } from "vitest";
import { gather, parseEnv, type GatherDeps } from "../../src/verify/gather.js";
import type { ExchangeAttempt, VerifyAzure, VerifyKube } from "../../src/verify/ports.js";
import type { AzureOps, KubeOps, PodInfo } from "../../src/core/ports.js";
import type { VerifyTarget } from "../../src/verify/types.js";
import { CLIENT, healthy, ISSUER, PRINCIPAL, TENANT, VAULT } from "./verify-fixtures.js";

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const NOW = Date.parse("2026-01-01T12:00:00Z");
const TOKEN_FILE = "/custom/path/token";
function jwt(claims: Record<string, unknown>) {
  return `${b64({ alg: "RS256", kid: "k" })}.${b64(claims)}.c2lnbmF0dXJl`;
}
const TOKEN = jwt({ iss: ISSUER, sub: "system:serviceaccount:ns:sa", aud: ["api://AzureADTokenExchange"], exp: NOW / 1000 + 3600, iat: NOW / 1000 });

interface World {
  execs: string[][];
  exchanges: { clientId: string; tenantId: string; assertion: string }[];
  answers: ExchangeAttempt[];
  permissionsAsked: string[];
  pod: PodInfo;
}

function fakes(over: Partial<{ pods: { name: string; phase: string; deleting: boolean }[]; token: string }> = {}): { deps: GatherDeps; w: World; sleeps: number[]; progress: string[] } {
  const h = healthy();
  const w: World = { execs: [], exchanges: [], answers: [], permissionsAsked: [], pod: h.pod! };
  const ops = {
    getCluster: async () => h.cluster,
    getIdentity: async () => h.identity,
    listIdentities: async () => [h.identity!],
    listFederatedCredentials: async () => h.federatedCredentials!,
    resolveRole: async (_s: string, role: string) => ({ id: `${VAULT}/providers/Microsoft.Authorization/roleDefinitions/4633458b`, name: "4633458b", roleName: role }),
    listRoleAssignments: async () => [{ id: "ra1", name: "ra1", scope: VAULT, roleDefinitionId: "/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/4633458b", principalId: PRINCIPAL }],
  } as unknown as AzureOps;
  const kubeOps = {
    getServiceAccount: async () => h.serviceAccount,
    getPod: async (_ns: string, name: string) => (name === w.pod.name ? w.pod : undefined),
  } as unknown as KubeOps;
  const env = `PATH=/bin\nAZURE_CLIENT_ID=${CLIENT}\nAZURE_TENANT_ID=${TENANT}\nAZURE_FEDERATED_TOKEN_FILE=${TOKEN_FILE}\nAZURE_AUTHORITY_HOST=https://login.example/\nHOME=/root\n`;
  const kube: VerifyKube = {
    ops: kubeOps,
    webhook: async () => h.webhook!,
    deployment: async (_ns, name) => ({ name, labels: {}, templateLabels: { app: "web" }, serviceAccountName: "sa", selector: { app: "web" } }),
    podsMatching: async () => over.pods ?? [],
    annotationTime: async () => undefined,
    objectsAnnotated: async () => [],
    exec: async (_ns, _pod, _c, command) => {
      w.execs.push(command);
      if (command[0] === "env") return { stdout: env, stderr: "", exitCode: 0 };
      if (command[0] === "cat" && command[1] === TOKEN_FILE) return { stdout: `${over.token ?? TOKEN}\n`, stderr: "", exitCode: 0 };
      return { stdout: "", stderr: "cat: no such file", exitCode: 1 };
    },
  };
  const azure: VerifyAzure = {
    ops,
    async exchange(p, use) {
      w.exchanges.push(p);
      const attempt = w.answers.shift() ?? { ok: true, claims: { oid: PRINCIPAL, appid: CLIENT, tid: TENANT, aud: "https://management.azure.com" } };
      if (!attempt.ok) return { attempt };
      return { attempt, result: await use({ permissions: async (scope) => { w.permissionsAsked.push(scope); return [{ actions: [], notActions: [], dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"], notDataActions: [] }]; } }) };
    },
    roleDefinition: async (id) => ({ id, roleName: "Key Vault Secrets User", actions: [], dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"] }),
  };
  const sleeps: number[] = [];
  const progress: string[] = [];
  let clock = NOW;
  return {
    w, sleeps, progress,
    deps: {
      azure, kube: async () => kube, now: () => clock,
      sleep: async (ms) => { sleeps.push(ms); clock += ms; },
      progress: (l) => progress.push(l),
      propagation: { budgetMs: 60_000, initialDelayMs: 1_000, recentMs: 300_000 },
    },
  };
}

const target = (over: Partial<VerifyTarget> = {}): VerifyTarget => ({ ...healthy().target, ...over });
const mismatch = (code: number): ExchangeAttempt => ({ ok: false, aadsts: code, error: "invalid_client", errorDescription: `AADSTS${code}: No matching federated identity record found` });

describe("verify gather", () => {
  it("reads env and the token file named by the env, exchanges as the pod would, and keeps the token out of the facts", async () => {
    const { deps, w } = fakes();
    const facts = await gather(target(), deps);
    expect(w.execs).toEqual([["env"], ["cat", TOKEN_FILE]]);
    expect(facts.containerEnv?.[0]?.env).toEqual({ AZURE_CLIENT_ID: CLIENT, AZURE_TENANT_ID: TENANT, AZURE_FEDERATED_TOKEN_FILE: TOKEN_FILE, AZURE_AUTHORITY_HOST: "https://login.example/" });
    expect(facts.token?.claims).toMatchObject({ iss: ISSUER, sub: "system:serviceaccount:ns:sa", aud: ["api://AzureADTokenExchange"] });
    expect(w.exchanges).toEqual([{ clientId: CLIENT, tenantId: TENANT, assertion: TOKEN }]);
    expect(w.permissionsAsked).toEqual([VAULT]);
    expect(facts.access?.roles[0]).toMatchObject({ role: "Key Vault Secrets User", scope: VAULT, roleDataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"] });
    const dump = JSON.stringify(facts);
    expect(dump).not.toContain(TOKEN.split(".")[1]!);
    expect(dump).not.toContain("c2lnbmF0dXJl");
  });

  it("waits for a freshly written credential, saying so, then records the success", async () => {
    const { deps, w, sleeps, progress } = fakes();
    w.answers.push(mismatch(70021), mismatch(70021));
    const facts = await gather(target({ federatedCredentialWrittenAt: new Date(NOW - 10_000).toISOString() }), deps);
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(progress).toHaveLength(2);
    expect(progress[0]).toMatch(/^waiting for the federated credential to propagate \(Entra answered AADSTS70021\)/);
    expect(facts.exchange).toMatchObject({ ok: true, attempts: 3, waitedMs: 3_000 });
    expect(facts.access?.roles).toHaveLength(1);
  });

  it("stops waiting at its bound", async () => {
    const { deps, w, sleeps } = fakes();
    for (let i = 0; i < 10; i++) w.answers.push(mismatch(700213));
    deps.propagation = { budgetMs: 5_000, initialDelayMs: 1_000, recentMs: 300_000 };
    const facts = await gather(target({ federatedCredentialWrittenAt: new Date(NOW).toISOString() }), deps);
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(facts.exchange).toMatchObject({ ok: false, aadsts: 700213, attempts: 3, waitedMs: 3_000 });
    expect(facts.access?.skipped).toBeTruthy();
  });

  it("does not wait when the credential was not written recently, or does not match the token", async () => {
    const old = fakes();
    old.w.answers.push(mismatch(70021));
    const f1 = await gather(target({ federatedCredentialWrittenAt: new Date(NOW - 600_000).toISOString() }), old.deps);
    expect(old.sleeps).toEqual([]);
    expect(f1.exchange).toMatchObject({ ok: false, attempts: 1 });

    const other = fakes({ token: jwt({ iss: ISSUER, sub: "system:serviceaccount:ns:other", aud: ["api://AzureADTokenExchange"], exp: NOW / 1000 + 60 }) });
    other.w.answers.push(mismatch(70021));
    await gather(target({ federatedCredentialWrittenAt: new Date(NOW).toISOString() }), other.deps);
    expect(other.sleeps).toEqual([]);
  });

  it("picks a running, not-terminating pod of a Deployment", async () => {
    const { deps, w } = fakes({ pods: [{ name: "web-old", phase: "Running", deleting: true }, { name: "web-new", phase: "Pending", deleting: false }, { name: "p1", phase: "Running", deleting: false }] });
    const facts = await gather(target({ pod: undefined, deployment: "web" }), deps);
    expect(facts.pod?.name).toBe(w.pod.name);
    expect(facts.deployment?.name).toBe("web");
  });

  it("skips exchange and access without a pod", async () => {
    const { deps, w } = fakes();
    const facts = await gather(target({ pod: undefined }), deps);
    expect(w.execs).toEqual([]);
    expect(w.exchanges).toEqual([]);
    expect(facts.exchange?.skipped).toMatch(/no pod/);
  });

  it("a bad --kubeconfig is the caller's input error (exit 2), not a finding; an unreachable cluster is a finding", async () => {
    const bad = fakes();
    const e = await gather(target(), { ...bad.deps, kube: async () => { throw new UserError("cannot read kubeconfig /missing: ENOENT", "check --kubeconfig"); } }).catch((x) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(e.kind).toBe("usage");
    const down = fakes();
    const facts = await gather(target(), { ...down.deps, kube: async () => { throw new Error("connect ECONNREFUSED 127.0.0.1:6443"); } });
    expect(facts.serviceAccountError).toMatch(/could not be reached: connect ECONNREFUSED/);
  });

  it("parses env output", () => {
    expect(parseEnv("A=1\nAZURE_X=a=b\r\nAZURE_Y=\n")).toEqual({ AZURE_X: "a=b", AZURE_Y: "" });
  });
});
