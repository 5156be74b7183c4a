// The acceptance walk-through: the real kubectl (1.32) with the sandbox kubeconfig runs a
// workload-identity tutorial's commands unmodified against the sandbox cluster. The OIDC issuer
// and workload identity are turned on the way the tutorial's `az aks update` does, through ARM
// with the real @azure/arm-containerservice client; the ServiceAccount and Pod manifests are the
// tutorial's own heredocs, read from the tutorial file at test time with only the shell's
// variable expansion applied.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { enableWorkloadIdentity, rawCall } from "./calls.harness.js";

/** Tutorial 002 ("Create a Service Account and Establish Federated Identity" / "Deploy Sample
 *  workload"): a ServiceAccount and a labelled `quick-start` pod, each applied with
 *  `cat <<EOF | kubectl apply -f -`, then `kubectl get pods quick-start`, `kubectl logs
 *  quick-start` and `kubectl delete pod quick-start`. */
const TUTORIAL = "/work/shared/tutorials/002_915c20f7ed514f79.txt";

let sb: TestSandbox;
let env: NodeJS.ProcessEnv;
let issuerURL: string;
const CLIENT_ID = "5f9a3c1e-2b4d-4e6f-8a7b-9c0d1e2f3a4b";
/** Test values for the variables the tutorial's heredocs use (names as the tutorial exports them). */
const VARS: Record<string, string> = {
  USER_ASSIGNED_CLIENT_ID: CLIENT_ID,
  SERVICE_ACCOUNT_NAME: "workload-identity-sa",
  SERVICE_ACCOUNT_NAMESPACE: "default",
  KEYVAULT_URL: "https://kv-sandbox.vault.azure.net/",
  KEYVAULT_SECRET_NAME: "my-secret",
};

function sh(script: string, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn("bash", ["-c", script], { env });
    let stdout = "",
      stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (input !== undefined) p.stdin.end(input);
    else p.stdin.end();
  });
}

/** The bodies of the tutorial's `cat <<EOF | kubectl apply -f -` heredocs, verbatim: the text
 *  between the line holding `<<EOF` and the line that is exactly `EOF`. */
function tutorialHeredocs(): string[] {
  const text = readFileSync(TUTORIAL, "utf8");
  return [...text.matchAll(/^cat <<EOF \| kubectl apply -f -\n([\s\S]*?)^EOF$/gm)].map((m) => m[1]);
}

/** What bash makes of an unquoted `<<EOF` heredoc body whose only expansions are `$NAME` and
 *  `${NAME}` (anything else would need more of the shell, and is refused). */
function expandHeredoc(body: string, vars: Record<string, string>): string {
  if (/[`\\]|\$[^A-Za-z_{]/.test(body)) throw new Error("heredoc uses shell syntax beyond $NAME / ${NAME}");
  return body.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a?: string, b?: string) => {
    const name = (a ?? b)!;
    if (!(name in vars)) throw new Error(`the tutorial uses \${${name}}, which the test gives no value`);
    return vars[name];
  });
}

/** The tutorial heredoc with this `kind:`, expanded; checked against bash's own expansion. */
async function tutorialManifest(kind: string): Promise<string> {
  const bodies = tutorialHeredocs().filter((b) => new RegExp(`^kind: ${kind}$`, "m").test(b));
  expect(bodies).toHaveLength(1);
  const manifest = expandHeredoc(bodies[0], VARS);
  const bash = await sh(`cat <<EOF\n${bodies[0]}EOF`);
  expect(bash).toEqual({ code: 0, stdout: manifest, stderr: "" });
  return manifest;
}

beforeAll(async () => {
  sb = await startTestSandbox();
  const kc = join(sb.dir, "kubeconfig-copy");
  copyFileSync(sb.info.kubeconfig, kc);
  env = { ...process.env, KUBECONFIG: kc, HOME: sb.dir, ...VARS };
  issuerURL = await enableWorkloadIdentity(sb);
  expect(issuerURL).toMatch(/^https:\/\/.+\/$/);
}, 60_000);
afterAll(async () => {
  await sb?.stop();
});

describe("kubectl against the sandbox cluster", () => {
  it("rejects a wrong token with 401", async () => {
    const r = await sh(`kubectl get pods --token=not-a-valid-token`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Unauthorized|must be logged in/);
  });

  it("creates and annotates a service account", async () => {
    let r = await sh(`kubectl create serviceaccount plain-sa`);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("serviceaccount/plain-sa created");
    r = await sh(`kubectl annotate serviceaccount plain-sa azure.workload.identity/client-id=${CLIENT_ID}`);
    expect(r.stdout.trim()).toBe("serviceaccount/plain-sa annotated");
    r = await sh(`kubectl get serviceaccount plain-sa -o jsonpath='{.metadata.annotations.azure\\.workload\\.identity/client-id}'`);
    expect(r.stdout).toBe(CLIENT_ID);
    r = await sh(`kubectl create ns wlipoc && kubectl get serviceaccount default -n wlipoc -o name`);
    expect(r.stdout).toBe("namespace/wlipoc created\nserviceaccount/default\n");
    r = await sh(`kubectl create token plain-sa --audience api://AzureADTokenExchange`);
    expect(decodeJwt(r.stdout.trim())).toMatchObject({ sub: "system:serviceaccount:default:plain-sa", aud: ["api://AzureADTokenExchange"], iss: issuerURL });
    r = await sh(`kubectl create serviceaccount plain-sa`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`serviceaccounts "plain-sa" already exists`);
  });

  it("runs the tutorial: apply SA and labelled pod, get, describe, logs, exec, token, delete", async () => {
    const saManifest = await tutorialManifest("ServiceAccount");
    const podManifest = await tutorialManifest("Pod");
    let r = await sh(`kubectl apply -f -`, saManifest);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("serviceaccount/workload-identity-sa created");
    r = await sh(`kubectl apply -f -`, podManifest);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("pod/quick-start created");

    r = await sh(`kubectl get serviceaccount workload-identity-sa -o json`);
    const sa = JSON.parse(r.stdout);
    expect(sa.metadata.annotations["azure.workload.identity/client-id"]).toBe(CLIENT_ID);
    expect(sa.metadata.labels).toEqual({ "azure.workload.identity/use": "true" });

    r = await sh(`kubectl get pods quick-start`);
    expect(r.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nquick-start\s+1\/1\s+Running\s+0\s+\d+s\n$/);
    r = await sh(`kubectl get pod quick-start -o json`);
    const pod = JSON.parse(r.stdout);
    expect(pod.spec.serviceAccountName).toBe("workload-identity-sa");
    expect(pod.spec.containers[0].env.slice(0, 2)).toEqual([
      { name: "KEYVAULT_URL", value: VARS.KEYVAULT_URL },
      { name: "SECRET_NAME", value: "my-secret" },
    ]);

    r = await sh(`kubectl describe pod quick-start`);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Status:\s+Running/);
    expect(r.stdout).toMatch(/AZURE_FEDERATED_TOKEN_FILE:\s+\/var\/run\/secrets\/azure\/tokens\/azure-identity-token/);
    expect(r.stdout).toMatch(/Started\s+.*Started container oidc/);

    r = await sh(`kubectl logs quick-start`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("AZURE_CLIENT_ID");

    r = await sh(`kubectl exec quick-start -- sh -c 'env | grep AZURE_'`);
    expect(r.code).toBe(0);
    const vars = Object.fromEntries(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    );
    expect(vars).toEqual({
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_TENANT_ID: sb.info.tenantId,
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
      AZURE_AUTHORITY_HOST: sandboxCloud(sb.dir).authorityHost + "/",
    });

    // The projected token, read where the pod's own environment says it is.
    r = await sh(`kubectl exec quick-start -- cat "${vars.AZURE_FEDERATED_TOKEN_FILE}"`);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const token = r.stdout.trim();
    const claims = decodeJwt(token);
    expect(claims.iss).toBe(issuerURL);
    expect(claims.sub).toBe("system:serviceaccount:default:workload-identity-sa");
    expect(claims.aud).toEqual(["api://AzureADTokenExchange"]);
    // The webhook's default projected-token lifetime (no service-account-token-expiration annotation).
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(60);
    expect(claims["kubernetes.io"]).toMatchObject({
      namespace: "default",
      pod: { name: "quick-start", uid: pod.metadata.uid },
      serviceaccount: { name: "workload-identity-sa", uid: sa.metadata.uid },
    });
    // Signed by a key the cluster's issuer publishes: discovery document, then its jwks_uri.
    const issuer = new URL(issuerURL);
    const discovery = await rawCall(sb, "GET", `${issuer.pathname}.well-known/openid-configuration`, { base: issuer.origin });
    expect(discovery.status).toBe(200);
    expect(discovery.json.issuer).toBe(issuerURL);
    const jwksUri = new URL(discovery.json.jwks_uri);
    const jwks = await rawCall(sb, "GET", jwksUri.pathname, { base: jwksUri.origin });
    expect(jwks.status).toBe(200);
    const verified = await jwtVerify(token, createLocalJWKSet(jwks.json), { issuer: issuerURL, audience: "api://AzureADTokenExchange" });
    expect(verified.payload.sub).toBe("system:serviceaccount:default:workload-identity-sa");

    r = await sh(`kubectl exec quick-start -- sh -c 'exit 3'`);
    expect(r.code).toBe(3);
    r = await sh(`kubectl exec quick-start -- nosuchcmd`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`exec: "nosuchcmd": executable file not found`);

    r = await sh(`kubectl exec -it quick-start -- sh`, "echo hello $HOSTNAME\nprintenv AZURE_CLIENT_ID\nexit 0\n");
    expect(r.stdout).toContain("hello quick-start");
    expect(r.stdout).toContain(CLIENT_ID);
    expect(r.code).toBe(0);

    r = await sh(`printf 'printenv AZURE_CLIENT_ID\\nfalse\\n' | kubectl exec -i quick-start -- sh`);
    expect(r).toMatchObject({ stdout: CLIENT_ID + "\n", code: 1 });
    r = await sh(`echo piped | kubectl exec -i quick-start -- grep -c pipe`);
    expect(r).toMatchObject({ stdout: "1\n", code: 0 });

    // with a real terminal (script allocates a pty): prompt, echo, and the exit code
    r = await sh(
      `(sleep 1; printf 'echo hi $HOSTNAME\\r'; sleep 0.3; printf 'exit 2\\r'; sleep 0.5) | script -qec "kubectl exec -it quick-start -- sh" /dev/null`,
    );
    expect(r.stdout).toContain("/ # echo hi $HOSTNAME\r\nhi quick-start\r\n/ # exit 2");
    expect(r.stdout).toContain("command terminated with exit code 2");

    r = await sh(`kubectl delete pod quick-start`);
    expect(r.stdout.trim()).toBe(`pod "quick-start" deleted`);
    r = await sh(`kubectl get pod quick-start`);
    expect(r.stderr).toContain(`pods "quick-start" not found`);
  }, 60_000);

  it("rejects a pod whose service account does not exist", async () => {
    const r = await sh(`kubectl run nosa --image=busybox --overrides='{"spec":{"serviceAccountName":"missing-sa"}}'`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error looking up service account default/missing-sa: serviceaccount "missing-sa" not found`);
  });
});
