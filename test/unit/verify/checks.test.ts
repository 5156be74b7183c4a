// Each check over facts: the healthy set passes everything; each broken link is named by the
// right check and finding, with expected vs actual.
import { describe, expect, it } from "vitest";
import { runChecks, worst } from "../../../src/verify/checks.js";
import { covers } from "../../../src/verify/check-access.js";
import { typoKeys } from "../../../src/verify/check-service-account.js";
import type { Facts, Finding } from "../../../src/verify/types.js";
import { CLIENT, healthy, ISSUER, VAULT } from "../../helpers/verify-fixtures.js";

const fails = (f: Finding[]) => f.filter((x) => x.status === "FAIL");

describe("verify checks", () => {
  it("a healthy setup passes every check, one PASS per check", () => {
    const findings = runChecks(healthy());
    expect(findings.map((f) => `${f.check}:${f.status}`)).toEqual([
      "cluster:PASS",
      "serviceAccount:PASS",
      "identity:PASS",
      "pod:PASS",
      "token:PASS",
      "exchange:PASS",
      "access:PASS",
    ]);
    expect(worst(findings)).toBe("PASS");
  });

  const cases: {
    name: string;
    breakIt: (f: Facts) => void;
    check: string;
    id: string;
    expected?: string | RegExp;
    actual?: string | RegExp;
    status?: string;
  }[] = [
    {
      name: "OIDC issuer off",
      breakIt: (f) => {
        f.cluster!.oidcIssuerEnabled = false;
      },
      check: "cluster",
      id: "oidc-issuer-disabled",
      actual: "false",
    },
    {
      name: "workload identity off",
      breakIt: (f) => {
        f.cluster!.workloadIdentityEnabled = false;
      },
      check: "cluster",
      id: "workload-identity-disabled",
      expected: "securityProfile.workloadIdentity.enabled = true",
    },
    {
      name: "webhook not installed",
      breakIt: (f) => {
        f.webhook = { deploymentFound: false, readyEndpoints: 0 };
      },
      check: "cluster",
      id: "webhook-missing",
    },
    {
      name: "webhook without endpoints",
      breakIt: (f) => {
        f.webhook = {
          deploymentFound: true,
          configurationFound: true,
          service: "kube-system/azure-wi-webhook-webhook-service",
          replicas: 0,
          readyReplicas: 0,
          readyEndpoints: 0,
        };
      },
      check: "cluster",
      id: "webhook-no-endpoints",
      actual: /^0 ready endpoints/,
    },
    {
      name: "webhook found by its configuration only, without endpoints",
      breakIt: (f) => {
        f.webhook = { deploymentFound: false, configurationFound: true, service: "kube-system/managed-wi-svc", readyEndpoints: 0 };
      },
      check: "cluster",
      id: "webhook-no-endpoints",
      actual: /^0 ready endpoints \(deployment: not found by its chart name\)/,
    },
    {
      name: "webhook configuration unreadable, deployment not ready",
      breakIt: (f) => {
        f.webhook = { deploymentFound: true, replicas: 2, readyReplicas: 0, readyEndpoints: 0 };
      },
      check: "cluster",
      id: "webhook-not-ready",
      actual: /^0\/2 replicas ready/,
    },
    {
      name: "cluster missing",
      breakIt: (f) => {
        delete f.cluster;
      },
      check: "cluster",
      id: "cluster-not-found",
    },
    {
      name: "service account missing",
      breakIt: (f) => {
        delete f.serviceAccount;
      },
      check: "serviceAccount",
      id: "sa-not-found",
    },
    {
      name: "service account unreadable (cluster unreachable)",
      breakIt: (f) => {
        delete f.serviceAccount;
        f.serviceAccountError = "the cluster could not be reached: ECONNREFUSED";
      },
      check: "serviceAccount",
      id: "sa-unreadable",
    },
    {
      name: "client_id typo",
      breakIt: (f) => {
        f.serviceAccount!.annotations = { "azure.workload.identity/client_id": CLIENT };
      },
      check: "serviceAccount",
      id: "sa-annotation-typo",
      actual: `azure.workload.identity/client_id=${CLIENT}`,
    },
    {
      name: "annotation on the Deployment",
      breakIt: (f) => {
        f.serviceAccount!.annotations = {};
        f.annotatedElsewhere = [{ kind: "deployment", name: "web" }];
      },
      check: "serviceAccount",
      id: "sa-annotation-elsewhere",
      actual: "annotation on deployment web",
    },
    {
      name: "annotation missing",
      breakIt: (f) => {
        f.serviceAccount!.annotations = {};
      },
      check: "serviceAccount",
      id: "sa-annotation-missing",
    },
    {
      name: "annotation names another identity",
      breakIt: (f) => {
        f.serviceAccount!.annotations["azure.workload.identity/client-id"] = "99999999-9999-9999-9999-999999999999";
      },
      check: "serviceAccount",
      id: "sa-client-id-mismatch",
      expected: CLIENT,
    },
    {
      name: "tenant-id annotation wrong",
      breakIt: (f) => {
        f.serviceAccount!.annotations["azure.workload.identity/tenant-id"] = "44444444-4444-4444-4444-444444444444";
      },
      check: "serviceAccount",
      id: "sa-tenant-mismatch",
    },
    {
      name: "identity missing",
      breakIt: (f) => {
        delete f.identity;
      },
      check: "identity",
      id: "identity-not-found",
    },
    {
      name: "no credential",
      breakIt: (f) => {
        f.federatedCredentials = [];
      },
      check: "identity",
      id: "fic-missing",
    },
    {
      name: "issuer without trailing slash",
      breakIt: (f) => {
        f.federatedCredentials![0]!.issuer = ISSUER.slice(0, -1);
      },
      check: "identity",
      id: "issuer-trailing-slash",
      expected: ISSUER,
      actual: ISSUER.slice(0, -1),
    },
    {
      name: "issuer with an extra slash",
      breakIt: (f) => {
        f.cluster!.issuerUrl = ISSUER.slice(0, -1);
        f.token!.claims!.iss = ISSUER.slice(0, -1);
      },
      check: "identity",
      id: "issuer-trailing-slash",
      expected: ISSUER.slice(0, -1),
      actual: ISSUER,
    },
    {
      name: "another cluster's issuer",
      breakIt: (f) => {
        f.federatedCredentials![0]!.issuer = "https://other/";
      },
      check: "identity",
      id: "issuer-mismatch",
    },
    {
      name: "subject in another namespace",
      breakIt: (f) => {
        f.federatedCredentials![0]!.subject = "system:serviceaccount:other:sa";
      },
      check: "identity",
      id: "subject-namespace",
      actual: "system:serviceaccount:other:sa",
    },
    {
      name: "subject of another service account",
      breakIt: (f) => {
        f.federatedCredentials![0]!.subject = "system:serviceaccount:ns:other";
      },
      check: "identity",
      id: "subject-service-account",
    },
    {
      name: "subject case",
      breakIt: (f) => {
        f.federatedCredentials![0]!.subject = "system:serviceaccount:NS:sa";
      },
      check: "identity",
      id: "subject-case",
    },
    {
      name: "wrong audience",
      breakIt: (f) => {
        f.federatedCredentials![0]!.audiences = ["api://other"];
      },
      check: "identity",
      id: "audience-mismatch",
      actual: '["api://other"]',
    },
    {
      name: "pod not found",
      breakIt: (f) => {
        delete f.pod;
        f.podError = "pod ns/p1 was not found";
      },
      check: "pod",
      id: "pod-not-found",
    },
    {
      name: "label only on the service account",
      breakIt: (f) => {
        f.pod!.labels = {};
        f.serviceAccount!.labels = { "azure.workload.identity/use": "true" };
      },
      check: "pod",
      id: "label-only-on-sa",
    },
    {
      name: "label only on the Deployment",
      breakIt: (f) => {
        f.pod!.labels = {};
        f.deployment = { name: "web", labels: { "azure.workload.identity/use": "true" }, templateLabels: {}, serviceAccountName: "sa" };
      },
      check: "pod",
      id: "label-only-on-deployment",
    },
    {
      name: "label missing",
      breakIt: (f) => {
        f.pod!.labels = {};
      },
      check: "pod",
      id: "label-missing",
    },
    {
      name: "wrong serviceAccountName",
      breakIt: (f) => {
        f.pod!.serviceAccountName = "default";
      },
      check: "pod",
      id: "pod-service-account",
      actual: "serviceAccountName: default",
    },
    {
      name: "pod in kube-system",
      breakIt: (f) => {
        f.pod!.namespace = "kube-system";
      },
      check: "pod",
      id: "pod-kube-system",
    },
    {
      name: "unmutated pod older than the annotation (managedFields time)",
      breakIt: (f) => {
        f.serviceAccountAnnotatedAt = "2026-01-01T11:30:00.000Z";
        f.containerEnv![0]!.env = {};
        f.pod!.containers[0]!.env = {};
        f.pod!.volumes = [];
      },
      check: "pod",
      id: "pod-before-annotation",
    },
    {
      name: "pod admitted before the annotation (no client ID injected)",
      breakIt: (f) => {
        delete f.containerEnv![0]!.env!.AZURE_CLIENT_ID;
      },
      check: "pod",
      id: "pod-before-annotation",
      actual: /AZURE_CLIENT_ID=\(unset\)/,
    },
    {
      name: "unmutated pod older than workload identity",
      breakIt: (f) => {
        f.webhook!.installedAt = "2026-01-01T11:30:00.000Z";
        f.containerEnv![0]!.env = {};
        f.pod!.containers[0]!.env = {};
        f.pod!.volumes = [];
      },
      check: "pod",
      id: "pod-before-workload-identity",
    },
    {
      name: "pod never mutated, enablement time unknown",
      breakIt: (f) => {
        delete f.webhook!.installedAt;
        f.pod!.volumes = [];
      },
      check: "pod",
      id: "pod-workload-identity-time-unknown",
      status: "WARN",
    },
    {
      name: "init container without the variables",
      breakIt: (f) => {
        f.pod!.containers.unshift({ name: "setup", init: true, env: {} });
      },
      check: "pod",
      id: "env-missing",
    },
    {
      name: "token unreadable",
      breakIt: (f) => {
        f.token = { path: "/x", error: "No such file or directory" };
      },
      check: "token",
      id: "token-unreadable",
    },
    {
      name: "token issuer differs",
      breakIt: (f) => {
        f.token!.claims!.iss = "https://kubernetes.default.svc.cluster.local";
      },
      check: "token",
      id: "token-issuer",
      expected: ISSUER,
    },
    {
      name: "token expired",
      breakIt: (f) => {
        f.token!.claims!.exp = 1;
      },
      check: "token",
      id: "token-expired",
    },
    {
      name: "AADSTS700213 subject",
      breakIt: (f) => {
        f.exchange = { ok: false, aadsts: 700213, attempts: 1, waitedMs: 0 };
        f.token!.claims!.sub = "system:serviceaccount:ns:other";
      },
      check: "exchange",
      id: "exchange-subject",
      expected: "system:serviceaccount:ns:sa",
    },
    {
      name: "AADSTS70021 while the credential matches",
      breakIt: (f) => {
        f.exchange = { ok: false, aadsts: 70021, attempts: 3, waitedMs: 3000 };
      },
      check: "exchange",
      id: "exchange-propagating",
    },
    {
      name: "AADSTS700016 client ID",
      breakIt: (f) => {
        f.exchange = { ok: false, aadsts: 700016, attempts: 1, waitedMs: 0 };
      },
      check: "exchange",
      id: "exchange-client-id",
    },
    {
      name: "token for another principal",
      breakIt: (f) => {
        f.exchange!.claims!.oid = "55555555-5555-5555-5555-555555555555";
      },
      check: "exchange",
      id: "exchange-other-identity",
    },
    {
      name: "no role assigned",
      breakIt: (f) => {
        const r = f.access!.roles[0]!;
        r.effective = [];
        r.assignedAt = [];
      },
      check: "access",
      id: "role-missing",
      expected: `Key Vault Secrets User at ${VAULT}`,
    },
    {
      name: "role at a narrower scope",
      breakIt: (f) => {
        const r = f.access!.roles[0]!;
        r.effective = [];
        r.assignedAt = [`${VAULT}/secrets/s1`];
      },
      check: "access",
      id: "role-narrower-scope",
      actual: /only at .*secrets\/s1/,
    },
    {
      name: "principal holds no role at all, none asked for (access policies, data-plane roles)",
      breakIt: (f) => {
        f.access = { roles: [] };
      },
      check: "access",
      id: "no-roles",
      status: "WARN",
      actual: "none",
    },
    {
      name: "a recent assignment not yet in the workload's permissions",
      breakIt: (f) => {
        const r = f.access!.roles[0]!;
        r.effective = [];
        r.propagating = { waitedMs: 120_000, assignedAt: "2026-01-01T11:58:00.000Z" };
      },
      check: "access",
      id: "role-propagating",
      status: "WARN",
      actual: "no permissions yet",
    },
    {
      name: "role scope the operator may not read",
      breakIt: (f) => {
        f.access = {
          roles: [{ role: "Key Vault Secrets User", scope: VAULT, forbidden: "you may not list role assignments at this scope (403): AuthorizationFailed" }],
        };
      },
      check: "access",
      id: "role-forbidden",
      status: "SKIP",
    },
    {
      name: "role assignments the operator may not list",
      breakIt: (f) => {
        f.access = { roles: [], forbidden: "you may not list the identity's role assignments at /subscriptions/sub (403)" };
      },
      check: "access",
      id: "access-forbidden",
      status: "SKIP",
    },
    {
      name: "identities the operator may not list",
      breakIt: (f) => {
        delete f.identity;
        f.target.identity = undefined;
        f.identityError = "403";
        f.identityForbidden = "you may not read the identities of subscription sub (403): AuthorizationFailed";
      },
      check: "identity",
      id: "identity-forbidden",
      status: "SKIP",
    },
  ];

  it.each(cases)("$name → $check/$id", ({ breakIt, check, id, expected, actual, status }) => {
    const facts = healthy();
    breakIt(facts);
    const findings = runChecks(facts);
    const f = findings.find((x) => x.check === check && x.id === id);
    expect(
      f,
      JSON.stringify(
        findings.filter((x) => x.status !== "PASS"),
        null,
        1,
      ),
    ).toBeDefined();
    expect(f!.status).toBe(status ?? "FAIL");
    expect(f!.fix).toBeTruthy();
    if (expected !== undefined)
      expect(f!.expected).toMatch(expected instanceof RegExp ? expected : new RegExp(`^${expected.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
    if (actual !== undefined) expect(f!.actual).toMatch(actual instanceof RegExp ? actual : new RegExp(`^${actual.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
    if ((status ?? "FAIL") === "FAIL") expect(worst(findings)).toBe("FAIL");
    // A check never fails on its own healthy neighbours: the other checks before it still pass.
    expect(findings.filter((x) => x.check === "cluster" && check !== "cluster").every((x) => x.status === "PASS")).toBe(true);
  });

  it("skips token, exchange and access when no pod is given", () => {
    const f = healthy();
    delete f.pod;
    delete f.containerEnv;
    delete f.token;
    f.exchange = { ok: false, attempts: 0, waitedMs: 0, skipped: "no pod" };
    f.access = { roles: [], skipped: "no token" };
    const s = Object.fromEntries(runChecks(f).map((x) => [x.check, x.status]));
    expect(s).toMatchObject({ pod: "SKIP", token: "SKIP", exchange: "SKIP", access: "SKIP", identity: "PASS" });
    expect(worst(runChecks(f))).toBe("SKIP");
  });

  it("a mutated pod passes on its env and token volume whatever its creation time says", () => {
    const f = healthy();
    f.serviceAccountAnnotatedAt = "2026-01-01T11:30:00.000Z"; // a re-apply of the same annotation, after the pod
    f.webhook!.installedAt = "2026-01-01T11:45:00.000Z"; // the add-on re-created its Deployment
    const pod = runChecks(f).filter((x) => x.check === "pod");
    expect(pod.map((x) => `${x.status}:${x.id}`)).toEqual(["PASS:pod-ok"]);
  });

  it("containers the pod asks the webhook to skip are not failed", () => {
    const f = healthy();
    f.pod!.containers.push({ name: "sidecar", init: false, env: {} });
    f.pod!.annotations["azure.workload.identity/skip-containers"] = "sidecar";
    expect(fails(runChecks(f))).toEqual([]);
  });

  it("typo detection and action wildcards", () => {
    expect(typoKeys({ "azure.workload.identity/client_id": "x", "azure.workload.identity/clientId": "y", other: "z" })).toEqual([
      "azure.workload.identity/client_id",
      "azure.workload.identity/clientId",
    ]);
    expect(covers("Microsoft.KeyVault/vaults/secrets/*", "Microsoft.KeyVault/vaults/secrets/getSecret/action")).toBe(true);
    expect(covers("*", "Microsoft.Storage/storageAccounts/read")).toBe(true);
    expect(covers("Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/secrets/getSecret/action")).toBe(false);
  });
});
