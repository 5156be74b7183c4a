// Acceptance: a healthy setup made by `aks-wi init` passes every check of `aks-wi verify`, fast,
// in text and in JSON; the token never appears in the output.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER, createPod, kubectl, NS, RG, SA, setUp, verify, verifyJson, type VerifyEnv } from "../helpers/verify.harness.js";
import { runCli, tempDir } from "../helpers/init-cli.harness.js";

let env: VerifyEnv;
beforeAll(async () => {
  env = await setUp();
}, 60_000);
afterAll(async () => {
  await env?.sb.stop();
});

describe("aks-wi verify on a healthy init", () => {
  it("passes every check and prints the az login line without the token", async () => {
    const r = await verify(env);
    expect(r.stderr).toBe("");
    expect(r.code, r.stdout).toBe(0);
    for (const check of ["cluster", "service account", "identity and federated credential", "pod", "token", "exchange", "access"]) {
      expect(r.stdout).toMatch(new RegExp(`^PASS\\s+${check}\\s`, "m"));
    }
    expect(r.stdout).not.toMatch(/^(FAIL|WARN|SKIP)/m);
    expect(r.stdout).toMatch(/az login --service-principal -u [0-9a-f-]{36} -t [0-9a-f-]{36} --federated-token "\$\(cat \$AZURE_FEDERATED_TOKEN_FILE\)"/);
    expect(r.stdout).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it("--output json carries the same findings in the documented shape", async () => {
    const { r, report, findings } = await verifyJson(env);
    expect(r.code).toBe(0);
    expect(report.version).toBe(1);
    expect(report.result).toBe("pass");
    expect(report.exitCode).toBe(0);
    expect(report.checks.map((c: any) => c.name)).toEqual(["cluster", "serviceAccount", "identity", "pod", "token", "exchange", "access"]);
    expect(report.checks.every((c: any) => c.status === "PASS")).toBe(true);
    expect(findings.find((f) => f.id === "role-ok")?.message).toMatch(/Key Vault Secrets User works at kv-sandbox-/);
    expect(report.claims.federatedToken.sub).toBe("system:serviceaccount:ns:sa");
    expect(report.claims.armToken.oid).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.stdout).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it("checks any workload from flags alone: a Deployment's running pod, the identity from the annotation, every role of its principal", async () => {
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: NS },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web", "azure.workload.identity/use": "true" } },
          spec: { serviceAccountName: SA, containers: [{ name: "main", image: "nginx" }] },
        },
      },
    };
    await kubectl(env, ["apply", "-f", "-"], JSON.stringify(deployment));
    // The sandbox has no ReplicaSet controller: make the Deployment's pod as it would.
    await createPod(env, "web");
    const cwd = tempDir("aks-wi-verify-nostate-");
    const r = await runCli(
      [
        "verify",
        "--sandbox",
        "--sandbox-dir",
        env.sb.dir,
        "--output",
        "json",
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
        "--deployment",
        "web",
      ],
      { cwd },
    );
    const report = JSON.parse(r.stdout);
    expect(
      report.checks.filter((c: any) => c.status !== "PASS"),
      r.stdout,
    ).toEqual([]);
    expect(r.code).toBe(0);
    expect(report.target.pod).toBe("web");
    expect(report.target.identity).toBeUndefined();
    const access = report.checks.find((c: any) => c.name === "access").findings;
    expect(access.map((f: any) => f.message)).toEqual([expect.stringMatching(/^Key Vault Secrets User works at kv-sandbox-/)]);
  });

  it("with no pod named, checks the newest running pod of the service account, and says so; with none running, exit 7 (incomplete)", async () => {
    const flags = ["--subscription", env.subscription, "--resource-group", RG, "--cluster", CLUSTER, "--namespace", NS, "--service-account", SA];
    const base = ["verify", "--sandbox", "--sandbox-dir", env.sb.dir, ...flags];
    const found = await runCli(base, { cwd: tempDir("aks-wi-verify-newest-") });
    expect(found.code, found.stdout).toBe(0);
    expect(found.stdout).toMatch(/^Verifying workload identity for ns\/sa on cluster \S+ \(pod \S+: the newest running pod of service account ns\/sa\)$/m);
    expect(found.stdout).toMatch(/^PASS\s+exchange\s/m);

    // Nothing runs as the service account any more: the checks that can run pass, but the chain is unproven.
    await kubectl(env, ["-n", NS, "delete", "deployment", "--all", "--wait=false"]);
    await kubectl(env, ["-n", NS, "delete", "pod", "--all", "--grace-period=0", "--force"]);
    const idle = await runCli([...base, "-o", "json"], { cwd: tempDir("aks-wi-verify-idle-") });
    const report = JSON.parse(idle.stdout);
    expect(report.checks.filter((c: any) => c.status === "FAIL")).toEqual([]);
    expect(idle.code).toBe(7);
    expect(report).toMatchObject({ result: "incomplete", exitCode: 7, noPod: "no pod runs as service account ns/sa" });
    const text = await runCli(base, { cwd: tempDir("aks-wi-verify-idle-text-") });
    expect(text.stdout).toMatch(/but no pod runs as service account ns\/sa: nothing past the service account is proven/);
  });

  it("usage errors exit 2", async () => {
    const r = await verify(env, ["--pod", "a", "--deployment", "b"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--pod or --deployment/);
  });
});
