// verify never calls a healthy link broken: a read that failed only transiently (429, 5xx, a
// reset through every retry) makes its check UNKNOWN ("could not check (transient)"), the report
// "unknown" and the exit code 5 — while a real break next to it still fails (3).
import { Writable } from "node:stream";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CloudProfile } from "../../../src/azure/cloud.js";
import { EXIT } from "../../../src/cli/exit-codes.js";
import { runVerify, type VerifyDeps } from "../../../src/cli/commands/verify.js";
import { UserError } from "../../../src/core/errors.js";
import { markTransient } from "../../../src/core/retry.js";
import { runChecks } from "../../../src/verify/checks.js";
import { gather } from "../../../src/verify/gather.js";
import { buildVerifyReport, formatReport, verdict } from "../../../src/verify/render.js";
import type { Facts, Finding } from "../../../src/verify/types.js";
import { jwt, verifyFakes } from "../../helpers/verify-fakes.js";
import { healthy, ISSUER, VAULT } from "../../helpers/verify-fixtures.js";

const blip = (message: string, reason = "503") => markTransient(new Error(message), reason);
const of = (findings: Finding[], check: string) => findings.filter((f) => f.check === check);

describe("checks over transient reads", () => {
  const cases: { name: string; breakIt: (f: Facts) => void; check: string; id: string }[] = [
    {
      name: "cluster read",
      breakIt: (f) => {
        delete f.cluster;
        f.clusterError = "reading cluster aks: HTTP 503";
        f.transient = ["cluster"];
      },
      check: "cluster",
      id: "cluster-transient",
    },
    {
      name: "webhook reads",
      breakIt: (f) => {
        f.webhook = { deploymentFound: false, readyEndpoints: 0, error: "HTTP-Code: 429", transient: true };
        f.transient = ["webhook"];
      },
      check: "cluster",
      id: "webhook-transient",
    },
    {
      name: "service account read",
      breakIt: (f) => {
        delete f.serviceAccount;
        f.serviceAccountError = "reading service account ns/sa: 503";
        f.transient = ["serviceAccount"];
      },
      check: "serviceAccount",
      id: "sa-transient",
    },
    {
      name: "identity read",
      breakIt: (f) => {
        delete f.identity;
        f.identityError = "ServiceUnavailable";
        f.transient = ["identity"];
      },
      check: "identity",
      id: "identity-transient",
    },
    {
      name: "credentials read",
      breakIt: (f) => {
        delete f.federatedCredentials;
        f.federatedCredentialsError = "TooManyRequests";
        f.transient = ["federatedCredentials"];
      },
      check: "identity",
      id: "fic-transient",
    },
    {
      name: "pod read",
      breakIt: (f) => {
        delete f.pod;
        f.podError = "reading pod ns/p1: 500";
        f.transient = ["pod"];
      },
      check: "pod",
      id: "pod-transient",
    },
    {
      name: "token read (exec)",
      breakIt: (f) => {
        f.token = { path: "/t", error: "Unexpected server response: 503" };
        f.transient = ["token"];
      },
      check: "token",
      id: "token-transient",
    },
    {
      name: "exchange",
      breakIt: (f) => {
        f.exchange = {
          ok: false,
          aadsts: 90033,
          error: "temporarily_unavailable",
          errorDescription: "AADSTS90033: unavailable",
          attempts: 1,
          waitedMs: 0,
          transient: true,
        };
      },
      check: "exchange",
      id: "exchange-transient",
    },
    {
      name: "role assignments read",
      breakIt: (f) => {
        f.access = { roles: [], error: "TooManyRequests" };
        f.transient = ["access"];
      },
      check: "access",
      id: "access-transient",
    },
    {
      name: "permissions probe",
      breakIt: (f) => {
        f.access!.roles[0] = { ...f.access!.roles[0]!, effective: undefined, error: "permissions: HTTP 429", transient: true };
      },
      check: "access",
      id: "role-transient",
    },
  ];
  for (const c of cases) {
    it(`${c.name}: UNKNOWN ${c.id}, no FAIL anywhere, verdict unknown`, () => {
      const f = healthy();
      c.breakIt(f);
      const findings = runChecks(f);
      expect(of(findings, c.check).map((x) => [x.status, x.id])).toContainEqual(["UNKNOWN", c.id]);
      expect(findings.filter((x) => x.status === "FAIL")).toEqual([]);
      expect(findings.find((x) => x.id === c.id)!.message).toMatch(/^could not check \(transient\): /);
      expect(verdict(findings)).toBe("unknown");
    });
  }

  it("the same reads failing for good still fail", () => {
    const f = healthy();
    delete f.serviceAccount;
    f.serviceAccountError = "reading service account ns/sa: forbidden";
    expect(of(runChecks(f), "serviceAccount")[0]).toMatchObject({ status: "FAIL", id: "sa-unreadable" });
  });

  it("an identity named only by an unreadable service account is unknown, not missing", () => {
    const f = healthy();
    delete f.target.identity;
    delete f.serviceAccount;
    delete f.identity;
    f.serviceAccountError = "503";
    f.identityError = "no identity given and the service account names none (no client-id annotation)";
    f.transient = ["serviceAccount"];
    expect(of(runChecks(f), "identity")[0]).toMatchObject({ status: "UNKNOWN", id: "identity-transient" });
  });

  it("a real break next to a blip fails: the verdict is fail", () => {
    const f = healthy();
    f.cluster!.workloadIdentityEnabled = false;
    delete f.pod;
    f.podError = "503";
    f.transient = ["pod"];
    expect(verdict(runChecks(f))).toBe("fail");
  });

  describe("Entra could not fetch the issuer (AADSTS90061) through every retry", () => {
    const failed = (f: Facts) => {
      f.exchange = {
        ok: false,
        aadsts: 90061,
        error: "invalid_request",
        errorDescription: "AADSTS90061: Request to External OIDC endpoint failed.",
        attempts: 1,
        waitedMs: 0,
        transient: true,
      };
      f.access = { roles: [], skipped: "no ARM token from the exchange" };
    };
    it("the issuer answers here: unknown, with the reconcile hint", () => {
      const f = healthy();
      failed(f);
      f.issuer = { ok: true, keys: 1 };
      const [x] = of(runChecks(f), "exchange");
      expect(x).toMatchObject({ status: "UNKNOWN", id: "exchange-transient" });
      expect(x!.message).toMatch(
        /AADSTS90061: Entra could not fetch the issuer's OIDC discovery document or keys through every retry, though the issuer serves 1 key\(s\) from here/,
      );
      expect(x!.fix).toMatch(/az aks update -g rg -n aks/);
    });
    it("the issuer blips here too: unknown", () => {
      const f = healthy();
      failed(f);
      f.issuer = { ok: false, error: "HTTP 503", transient: true };
      expect(of(runChecks(f), "exchange")[0]).toMatchObject({ status: "UNKNOWN", id: "exchange-transient" });
    });
    it("the issuer fails here for good: FAIL exchange-issuer-keys naming what it answered", () => {
      const f = healthy();
      failed(f);
      f.issuer = { ok: false, error: `${ISSUER}.well-known/openid-configuration answered HTTP 404` };
      expect(of(runChecks(f), "exchange")[0]).toMatchObject({
        status: "FAIL",
        id: "exchange-issuer-keys",
        actual: expect.stringMatching(/answered HTTP 404$/),
      });
    });
  });
});

describe("gather records transient reads", () => {
  it("marks reads whose errors stayed transient, and not the others", async () => {
    const { deps, azure, kube } = verifyFakes();
    azure.ops.getCluster = async () => {
      throw blip("reading cluster aks: ServiceUnavailable");
    };
    kube.ops.getServiceAccount = async () => {
      throw new Error("reading service account ns/sa: forbidden");
    };
    const facts = await gather({ ...healthy().target }, deps);
    expect(facts.transient).toEqual(["cluster"]);
    expect(facts.clusterError).toBe("reading cluster aks: ServiceUnavailable");
    expect(facts.serviceAccountError).toMatch(/forbidden/);
  });

  it("a cluster credential ARM kept refusing with 503 leaves the Kubernetes checks unknown, not an error exit", async () => {
    const { deps } = verifyFakes();
    const e = markTransient(new UserError("reading the cluster credential: ServiceUnavailable", undefined, "failed"), "503");
    const facts = await gather(
      { ...healthy().target },
      {
        ...deps,
        kube: async () => {
          throw e;
        },
      },
    );
    expect(facts.transient).toEqual(["webhook", "serviceAccount", "pod"]);
    const findings = runChecks(facts);
    expect(findings.filter((x) => x.status === "FAIL")).toEqual([]);
    expect(of(findings, "serviceAccount")[0]).toMatchObject({ status: "UNKNOWN", id: "sa-transient" });
    expect(of(findings, "pod")[0]).toMatchObject({ status: "UNKNOWN", id: "pod-transient" });
  });

  it("a transient exec makes the token unknown; a transient permissions probe makes its role unknown", async () => {
    const env = verifyFakes();
    env.kube.exec = async () => ({ stdout: "", stderr: "", error: "Unexpected server response: 503", transient: true });
    const f1 = await gather({ ...healthy().target }, env.deps);
    expect(f1.transient).toContain("token");
    expect(of(runChecks(f1), "token")[0]).toMatchObject({ status: "UNKNOWN", id: "token-transient" });

    const probe = verifyFakes();
    probe.azure.exchange = async (_p, use) => ({
      attempt: { ok: true, claims: {} },
      result: await use({
        permissions: async () => {
          throw blip("permissions at kv1: HTTP 429", "429");
        },
      }),
    });
    const f2 = await gather({ ...healthy().target }, probe.deps);
    expect(f2.access?.roles[0]).toMatchObject({ scope: VAULT, transient: true });
  });

  it("an issuer-fetch failure makes verify fetch the token's issuer itself", async () => {
    const { deps, w } = verifyFakes();
    w.answers.push({
      ok: false,
      aadsts: 90061,
      error: "invalid_request",
      errorDescription: "AADSTS90061: Request to External OIDC endpoint failed.",
      transient: true,
    });
    const facts = await gather({ ...healthy().target }, deps);
    expect(w.issuersFetched).toEqual([ISSUER]);
    expect(facts.issuer).toEqual({ ok: true, keys: 1 });
    expect(facts.exchange).toMatchObject({ ok: false, aadsts: 90061, transient: true });
  });
});

describe("the report and the exit code", () => {
  it("text: UNKNOWN in a wider status column and a closing line that says nothing broken was found", () => {
    const f = healthy();
    delete f.pod;
    f.podError = "reading pod ns/p1: 503";
    f.transient = ["pod"];
    const report = buildVerifyReport(f, runChecks(f), 900, EXIT.verifyTransient);
    expect(report.result).toBe("unknown");
    const text = formatReport(report);
    expect(text).toContain("UNKNOWN  pod                                could not check (transient): finding the pod: reading pod ns/p1: 503");
    expect(text).toContain(`${" ".repeat(44)}fix:      the service did not answer through the retries; re-run aks-wi verify in a minute`);
    expect(text).toContain(
      "PASS     cluster                            OIDC issuer https://oidc.example/tenant/guid/; workload identity on; webhook kube-system/azure-wi-webhook-webhook-service: 2 ready endpoint(s)",
    );
    expect(text.join("\n")).toMatch(/1 check\(s\) could not be made: .* Nothing broken was found; re-run aks-wi verify\.$/m);
  });

  it("verify exits 5 with result unknown, and the retries it heard of on stderr", async () => {
    // A token that has not expired by the real clock runVerify reads.
    const f = verifyFakes({
      token: jwt({ iss: ISSUER, sub: "system:serviceaccount:ns:sa", aud: ["api://AzureADTokenExchange"], exp: Date.now() / 1000 + 3600 }),
    });
    f.kube.ops.getServiceAccount = async () => {
      throw blip("reading service account ns/sa: Too many requests", "429");
    };
    const stdout = new Sink();
    const stderr = new Sink();
    const deps: VerifyDeps = {
      env: {},
      cwd: mkdtempSync(join(tmpdir(), "aks-wi-verify-")),
      stdout,
      stderr,
      profile: () => ({ name: "sandbox", subscriptionId: "sub", defaults: { resourceGroup: "rg", cluster: "aks" } }) as CloudProfile,
      azure: async (_p, onRetry) => (
        onRetry?.("ARM permissions API 429, retry 1/6 in 0.2 s", { service: "ARM permissions API", reason: "429", retry: 1, of: 6, delayMs: 200 }),
        f.azure
      ),
      kube: async () => f.kube,
    };
    expect(await runVerify({ namespace: "ns", serviceAccount: "sa", pod: "p1", identity: "id-x", output: "json" }, deps)).toBe(5);
    const report = JSON.parse(stdout.text);
    expect(report).toMatchObject({ result: "unknown", exitCode: 5 });
    expect(report.checks.find((c: { name: string }) => c.name === "serviceAccount").status).toBe("UNKNOWN");
    expect(stderr.text).toBe("ARM permissions API 429, retry 1/6 in 0.2 s\n");
  });
});

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}
