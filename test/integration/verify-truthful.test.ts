// Acceptance (issue 11, verify tells the truth) on the sandbox with the real SDKs and kubectl:
// a role assignment still propagating is waited for, then WARN, never "create it"; an operator
// whose rights stop at a resource group is answered from there; the webhook is found from its
// MutatingWebhookConfiguration; a Deployment's matchExpressions selector picks its pod; a
// distroless pod is checked without exec'ing a program it does not have.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER, NS, RG, SA, byCheck, createPod, kubectl, setUp, verify, verifyJson, type VerifyEnv } from "../helpers/verify.harness.js";
import { runCli, tempDir } from "../helpers/init-cli.harness.js";

let env: VerifyEnv;
// The permissions API shows the workload its new assignment 15 s after init made it.
beforeAll(async () => {
  env = await setUp({ rolePropagationMs: 15_000 });
}, 60_000);
afterAll(async () => {
  await env?.sb.stop();
});

const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

describe("aks-wi verify on what real subscriptions do", () => {
  it("a role assignment not yet propagated is WARN role-propagating when the wait is spent, exit 0", async () => {
    const { r, findings } = await verifyJson(env, [], { AKS_WI_VERIFY_ROLE_PROPAGATION_TIMEOUT: "0" });
    const access = byCheck(findings, "access");
    expect(
      access.map((f) => `${f.status}:${f.id}`),
      r.stdout,
    ).toEqual(["WARN:role-propagating"]);
    expect(access[0]!.message).toMatch(
      /Key Vault Secrets User at kv-sandbox-\w+ is assigned .* but not yet in the workload's permissions after waiting 0 s: role assignments take up to 10 minutes to propagate/,
    );
    expect(access[0]!.fix).toMatch(/do not create it again/);
    expect(r.code).toBe(0);
  });

  it("waits for it within its own budget, saying so, then passes", async () => {
    const r = await verify(env);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stderr).toMatch(
      /waiting for the role assignment Key Vault Secrets User to propagate \(assigned .*; Azure takes up to 10 min\); retrying in \d+(\.\d)? s, waiting up to 120 s/,
    );
    expect(r.stdout).toMatch(/^PASS\s+access\s+Key Vault Secrets User works at kv-sandbox-\w+: .*\(after waiting \d+ s for the assignment to propagate\)$/m);
  });

  it("an operator with Reader on the resource group only: role reads at the role scope pass, a subscription-wide identity search is SKIP with the reason", async () => {
    const made = await runCli(
      [
        "sandbox",
        "principal",
        "create",
        "rg-reader",
        "--dir",
        env.sb.dir,
        "--role",
        READER,
        "--scope",
        `/subscriptions/${env.subscription}/resourceGroups/${RG}`,
      ],
      { cwd: env.work },
    );
    expect(made.code, made.stderr).toBe(0);
    const reader = JSON.parse(made.stdout) as { clientId: string; clientSecret: string };
    const as = { AZURE_CLIENT_ID: reader.clientId, AZURE_CLIENT_SECRET: reader.clientSecret };
    const fromState = await verifyJson(env, ["--kubeconfig", env.kubeconfig], as);
    expect(
      fromState.findings.filter((f) => f.status !== "PASS"),
      fromState.r.stdout,
    ).toEqual([]);
    expect(fromState.r.code).toBe(0);

    // No state: the identity is looked up by the annotation's client ID across the subscription.
    const cwd = tempDir("aks-wi-verify-reader-");
    const flags = await runCli(
      [
        "verify",
        "--sandbox",
        "--sandbox-dir",
        env.sb.dir,
        "--output",
        "json",
        "--kubeconfig",
        env.kubeconfig,
        "--subscription",
        env.subscription,
        "--resource-group",
        RG,
        "--cluster",
        CLUSTER,
        "--namespace",
        NS,
        "--service-account",
        SA,
        "--pod",
        "aks-wi-test",
      ],
      { cwd, env: as },
    );
    const report = JSON.parse(flags.stdout);
    const findings = report.checks.flatMap((c: any) => c.findings);
    expect(
      findings.filter((f: any) => f.status === "FAIL"),
      flags.stdout,
    ).toEqual([]);
    expect(findings.find((f: any) => f.check === "identity")).toMatchObject({ status: "SKIP", id: "identity-forbidden" });
    expect(findings.find((f: any) => f.check === "identity").message).toMatch(/you may not read the identities of subscription .* \(403\)/);
    expect(flags.code).toBe(0);
  });

  it("finds the webhook from its MutatingWebhookConfiguration, whatever its Service is called", async () => {
    const cfg = "azure-wi-webhook-mutating-webhook-configuration";
    const before = JSON.parse(await kubectl(env, ["get", "mutatingwebhookconfiguration", cfg, "-o", "json"]));
    const patch = [{ op: "replace", path: "/webhooks/0/clientConfig/service/name", value: "managed-wi-webhook" }];
    await kubectl(env, ["patch", "mutatingwebhookconfiguration", cfg, "--type=json", "-p", JSON.stringify(patch)]);
    try {
      const { findings } = await verifyJson(env);
      const f = findings.find((x) => x.check === "cluster" && x.id === "webhook-no-endpoints");
      expect(f, JSON.stringify(findings)).toBeDefined();
      expect(f!.message).toMatch(/^the webhook service kube-system\/managed-wi-webhook has no ready endpoints/);
    } finally {
      const back = [{ op: "replace", path: "/webhooks/0/clientConfig/service/name", value: before.webhooks[0].clientConfig.service.name }];
      await kubectl(env, ["patch", "mutatingwebhookconfiguration", cfg, "--type=json", "-p", JSON.stringify(back)]);
    }
    const { findings } = await verifyJson(env);
    expect(findings.find((x) => x.check === "cluster")?.message).toMatch(/webhook kube-system\/azure-wi-webhook-webhook-service: \d+ ready endpoint\(s\)$/);
  });

  it("a distroless pod (no env, no cat): the variables from its spec, the token from the TokenRequest API, said so; exit 0", async () => {
    const manifest = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "static-app", namespace: NS, labels: { app: "static-app", "azure.workload.identity/use": "true" } },
      spec: { serviceAccountName: SA, containers: [{ name: "app", image: "gcr.io/distroless/static-debian12:nonroot" }] },
    };
    await kubectl(env, ["apply", "-f", "-"], JSON.stringify(manifest));
    await kubectl(env, ["-n", NS, "wait", "--for=jsonpath={.status.phase}=Running", "pod/static-app", "--timeout=30s"]);
    // as on AKS: the image has no programs to exec
    const r = await kubectl(env, ["-n", NS, "exec", "static-app", "--", "cat", "/etc/hostname"]).catch((e: Error) => e.message);
    expect(r).toMatch(/executable file not found in \$PATH/);
    const { report, findings } = await verifyJson(env, ["--pod", "static-app"]);
    expect(
      findings.filter((f) => f.status === "FAIL"),
      JSON.stringify(findings),
    ).toEqual([]);
    expect(byCheck(findings, "pod")[0]!.message).toMatch(/\(pod spec\)$/);
    expect(byCheck(findings, "token")[0]).toMatchObject({ status: "PASS" });
    expect(byCheck(findings, "token")[0]!.message).toMatch(/no container of pod static-app has cat to read .*requested from the TokenRequest API instead/);
    expect(byCheck(findings, "exchange")[0]).toMatchObject({ status: "PASS" });
    expect(report.result).toBe("pass");
  });

  it("--deployment with a matchExpressions selector checks the Deployment's own pod, not another in the namespace", async () => {
    await createPod(env, "api");
    await createPod(env, "zzz-other", { label: false });
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchExpressions: [{ key: "app", operator: "In", values: ["api"] }] },
        template: {
          metadata: { labels: { app: "api", "azure.workload.identity/use": "true" } },
          spec: { serviceAccountName: SA, containers: [{ name: "main", image: "nginx" }] },
        },
      },
    };
    await kubectl(env, ["apply", "-f", "-"], JSON.stringify(deployment));
    const { report, findings } = await verifyJson(env, ["--deployment", "api"]);
    expect(report.target.pod).toMatch(/^api/);
    expect(byCheck(findings, "pod").map((f) => f.status)).toEqual(["PASS"]);
  });
});
