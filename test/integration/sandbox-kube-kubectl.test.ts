// The acceptance walk-through: the real kubectl (1.32) with the sandbox kubeconfig runs a
// workload-identity tutorial's commands unmodified against the sandbox cluster.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { startKubeHarness, type KubeHarness } from "./sandbox-kube.harness.js";

let h: KubeHarness;
let env: NodeJS.ProcessEnv;
let issuerURL: string;
const CLIENT_ID = "5f9a3c1e-2b4d-4e6f-8a7b-9c0d1e2f3a4b";

function sh(script: string, input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn("bash", ["-c", script], { env });
    let stdout = "", stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (input !== undefined) p.stdin.end(input); else p.stdin.end();
  });
}

beforeAll(async () => {
  h = await startKubeHarness();
  const kc = join(h.dir, "kubeconfig-copy");
  copyFileSync(h.kubeconfigPath, kc);
  env = { ...process.env, KUBECONFIG: kc, HOME: h.dir, SERVICE_ACCOUNT_NAMESPACE: "default", SERVICE_ACCOUNT_NAME: "workload-identity-sa", USER_ASSIGNED_CLIENT_ID: CLIENT_ID };
  issuerURL = h.enableWorkloadIdentity();
}, 60_000);
afterAll(async () => { await h?.stop(); });

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
    let r = await sh(`cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: ServiceAccount
metadata:
  annotations:
    azure.workload.identity/client-id: "\${USER_ASSIGNED_CLIENT_ID}"
  name: "\${SERVICE_ACCOUNT_NAME}"
  namespace: "\${SERVICE_ACCOUNT_NAMESPACE}"
EOF`);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("serviceaccount/workload-identity-sa created");
    r = await sh(`cat <<EOF | kubectl apply -f -
apiVersion: v1
kind: Pod
metadata:
  name: quick-start
  namespace: \${SERVICE_ACCOUNT_NAMESPACE}
  labels:
    azure.workload.identity/use: "true"
spec:
  serviceAccountName: \${SERVICE_ACCOUNT_NAME}
  containers:
    - image: ghcr.io/azure/azure-workload-identity/msal-go
      name: oidc
      env:
      - name: KEYVAULT_URL
        value: https://kv.example/
  nodeSelector:
    kubernetes.io/os: linux
EOF`);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("pod/quick-start created");

    r = await sh(`kubectl get pods quick-start`);
    expect(r.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nquick-start\s+1\/1\s+Running\s+0\s+\d+s\n$/);

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
    const vars = Object.fromEntries(r.stdout.trim().split("\n").map((l) => l.split(/=(.*)/s).slice(0, 2)));
    expect(vars).toEqual({
      AZURE_CLIENT_ID: CLIENT_ID,
      AZURE_TENANT_ID: h.ctx.info.tenantId,
      AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
      AZURE_AUTHORITY_HOST: h.ctx.info.authorityHost + "/",
    });

    r = await sh(`kubectl exec quick-start -- cat /var/run/secrets/azure/tokens/azure-identity-token`);
    expect(r.code).toBe(0);
    const claims = decodeJwt(r.stdout.trim());
    expect(claims.iss).toBe(issuerURL);
    expect(claims.sub).toBe("system:serviceaccount:default:workload-identity-sa");
    expect(claims.aud).toEqual(["api://AzureADTokenExchange"]);

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
    r = await sh(`(sleep 1; printf 'echo hi $HOSTNAME\\r'; sleep 0.3; printf 'exit 2\\r'; sleep 0.5) | script -qec "kubectl exec -it quick-start -- sh" /dev/null`);
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
