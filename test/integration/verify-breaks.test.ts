// Acceptance: each classic break, made through ARM (real SDK) or kubectl on a setup made by
// `aks-wi init`, is named by the right check of `aks-wi verify` with expected vs actual, and
// verify exits 3. One sandbox for the file; every test restores what it broke.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byCheck, CLUSTER, createPod, IDENTITY, kubectl, NS, RG, SA, setUp, verifyJson, type VerifyEnv } from "../helpers/verify.harness.js";

const FIC = `aks-wi-${NS}-${SA}`;
const SUBJECT = `system:serviceaccount:${NS}:${SA}`;
const AUD = "api://AzureADTokenExchange";
const KV_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

let env: VerifyEnv;
let issuer: string;
let clientId: string;
let principalId: string;
beforeAll(async () => {
  env = await setUp();
  const c = await env.clients.aks.managedClusters.get(RG, CLUSTER);
  issuer = c.oidcIssuerProfile!.issuerURL!;
  const id = await env.clients.msi.userAssignedIdentities.get(RG, IDENTITY);
  clientId = id.clientId!;
  principalId = id.principalId!;
}, 60_000);
afterAll(async () => {
  await env?.sb.stop();
});

const putFic = (p: { issuer?: string; subject?: string; audiences?: string[] }) =>
  env.clients.msi.federatedIdentityCredentials.createOrUpdate(RG, IDENTITY, FIC, {
    issuer: p.issuer ?? issuer,
    subject: p.subject ?? SUBJECT,
    audiences: p.audiences ?? [AUD],
  });

async function expectFail(check: string, id: string, extra: string[] = []) {
  const res = await verifyJson(env, extra);
  expect(res.r.code, JSON.stringify(res.failed, null, 2)).toBe(3);
  expect(res.report.result).toBe("fail");
  const f = byCheck(res.findings, check).find((x) => x.id === id);
  expect(f, `expected ${check}/${id} among ${JSON.stringify(res.failed.map((x) => `${x.check}/${x.id}`))}`).toBeDefined();
  expect(f!.status).toBe("FAIL");
  expect(f!.fix).toBeTruthy();
  return { ...res, f: f! };
}

describe("aks-wi verify names each break", () => {
  it("federated credential issuer without its trailing slash", async () => {
    expect(issuer.endsWith("/")).toBe(true);
    await putFic({ issuer: issuer.slice(0, -1) });
    try {
      const { f, findings } = await expectFail("identity", "issuer-trailing-slash");
      expect(f.expected).toBe(issuer);
      expect(f.actual).toBe(issuer.slice(0, -1));
      expect(f.message).toMatch(/lacks.*trailing slash/);
      // Entra refuses the exchange too, naming the issuer.
      expect(byCheck(findings, "exchange")[0]).toMatchObject({ status: "FAIL", id: "exchange-issuer" });
    } finally {
      await putFic({});
    }
  });

  it("federated credential subject in the wrong namespace", async () => {
    await putFic({ subject: `system:serviceaccount:other:${SA}` });
    try {
      const { f } = await expectFail("identity", "subject-namespace");
      expect(f.expected).toBe(SUBJECT);
      expect(f.actual).toBe(`system:serviceaccount:other:${SA}`);
    } finally {
      await putFic({});
    }
  });

  it("federated credential with the wrong audience", async () => {
    await putFic({ audiences: ["api://AzureADTokenExchange2"] });
    try {
      const { f } = await expectFail("identity", "audience-mismatch");
      expect(f.expected).toBe(JSON.stringify([AUD]));
      expect(f.actual).toBe(JSON.stringify(["api://AzureADTokenExchange2"]));
    } finally {
      await putFic({});
    }
  });

  it("label only on the service account, not on the pod", async () => {
    await createPod(env, "nolabel", { label: false });
    await kubectl(env, ["-n", NS, "label", "serviceaccount", SA, "azure.workload.identity/use=true"]);
    try {
      const { f } = await expectFail("pod", "label-only-on-sa", ["--pod", "nolabel"]);
      expect(f.expected).toMatch(/pod label azure.workload.identity\/use: "true"/);
      expect(f.actual).toMatch(/only on the service account/);
    } finally {
      await kubectl(env, ["-n", NS, "label", "serviceaccount", SA, "azure.workload.identity/use-"]);
      await kubectl(env, ["-n", NS, "delete", "pod", "nolabel", "--wait=true"]);
    }
  });

  it("client_id annotation typo", async () => {
    await kubectl(env, ["-n", NS, "annotate", "serviceaccount", SA, "azure.workload.identity/client-id-", `azure.workload.identity/client_id=${clientId}`]);
    try {
      const { f } = await expectFail("serviceAccount", "sa-annotation-typo");
      expect(f.expected).toBe(`azure.workload.identity/client-id=${clientId}`);
      expect(f.actual).toBe(`azure.workload.identity/client_id=${clientId}`);
    } finally {
      await kubectl(env, ["-n", NS, "annotate", "serviceaccount", SA, "azure.workload.identity/client_id-", `azure.workload.identity/client-id=${clientId}`]);
    }
  });

  it("pod created before the annotation", async () => {
    await kubectl(env, ["-n", NS, "annotate", "serviceaccount", SA, "azure.workload.identity/client-id-"]);
    await createPod(env, "early");
    await kubectl(env, ["-n", NS, "annotate", "serviceaccount", SA, `azure.workload.identity/client-id=${clientId}`]);
    try {
      const { f } = await expectFail("pod", "pod-before-annotation", ["--pod", "early"]);
      expect(f.expected).toContain(`AZURE_CLIENT_ID=${clientId}`);
      expect(f.actual).toContain("AZURE_CLIENT_ID=(unset)");
      expect(f.fix).toMatch(/delete and re-create the pod/);
    } finally {
      await kubectl(env, ["-n", NS, "delete", "pod", "early", "--wait=true"]);
    }
  });

  it("no role assignment", async () => {
    const [a] = await list();
    await env.clients.auth.roleAssignments.deleteById(a!.id!);
    try {
      const { f } = await expectFail("access", "role-missing");
      expect(f.expected).toBe(`Key Vault Secrets User at ${env.vault}`);
      expect(f.actual).toMatch(/no assignment/);
    } finally {
      await env.clients.auth.roleAssignments.create(env.vault, a!.name!, {
        roleDefinitionId: a!.roleDefinitionId!,
        principalId,
        principalType: "ServicePrincipal",
      });
    }
  });

  it("role at a narrower scope than the one asked for", async () => {
    const [a] = await list();
    await env.clients.auth.roleAssignments.deleteById(a!.id!);
    const narrow = `${env.vault}/secrets/app-secret`;
    const created = await env.clients.auth.roleAssignments.create(narrow, "0b5a3c36-4a55-4d41-9d43-8c1c5b0d1e11", {
      roleDefinitionId: a!.roleDefinitionId!,
      principalId,
      principalType: "ServicePrincipal",
    });
    try {
      const { f } = await expectFail("access", "role-narrower-scope");
      expect(f.expected).toBe(`Key Vault Secrets User at ${env.vault}`);
      expect(f.actual).toContain(narrow);
    } finally {
      await env.clients.auth.roleAssignments.deleteById(created.id!);
      await env.clients.auth.roleAssignments.create(env.vault, a!.name!, {
        roleDefinitionId: a!.roleDefinitionId!,
        principalId,
        principalType: "ServicePrincipal",
      });
    }
  });

  it("webhook down", async () => {
    await kubectl(env, ["-n", "kube-system", "scale", "deploy", "azure-wi-webhook-controller-manager", "--replicas=0"]);
    try {
      const { f } = await expectFail("cluster", "webhook-no-endpoints");
      expect(f.expected).toBe(">= 1 ready endpoint");
      expect(f.actual).toMatch(/^0 ready endpoints/);
    } finally {
      await kubectl(env, ["-n", "kube-system", "scale", "deploy", "azure-wi-webhook-controller-manager", "--replicas=2"]);
    }
  });

  it("every break above was restored: verify passes again", async () => {
    const { r, failed } = await verifyJson(env);
    expect(failed).toEqual([]);
    expect(r.code).toBe(0);
  });

  // Last: re-enabling reinstalls the webhook, after which the existing test pod predates it.
  it("workload identity disabled", async () => {
    const c = await env.clients.aks.managedClusters.get(RG, CLUSTER);
    await env.clients.aks.managedClusters.beginCreateOrUpdateAndWait(
      RG,
      CLUSTER,
      { ...c, securityProfile: { ...c.securityProfile, workloadIdentity: { enabled: false } } },
      { updateIntervalInMs: 10 },
    );
    const { f } = await expectFail("cluster", "workload-identity-disabled");
    expect(f.expected).toBe("securityProfile.workloadIdentity.enabled = true");
    expect(f.actual).toBe("false");
  });
});

async function list() {
  const out = [];
  for await (const a of env.clients.auth.roleAssignments.listForScope(env.vault, { filter: `principalId eq '${principalId}'` })) {
    if (a.scope?.toLowerCase() === env.vault.toLowerCase() && a.roleDefinitionId?.endsWith(KV_SECRETS_USER)) out.push(a);
  }
  expect(out).toHaveLength(1);
  return out;
}
