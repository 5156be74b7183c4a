// End to end with real tools only: workload identity turned on through the real ARM SDK, a
// user-assigned identity made with the real MSI SDK, a service account and a labelled pod made with
// the real kubectl, the projected token read from inside the pod with `kubectl exec`, and that
// token exchanged at the sandbox's Entra token endpoint with the real ClientAssertionCredential.
// An ARM token comes back only while a federated credential matches; each kind of mismatch
// answers with its own AADSTS code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { decodeJwt } from "jose";
import { ClientAssertionCredential } from "@azure/identity";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { sandboxCloud, type CloudProfile } from "../../../src/azure/cloud.js";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { enableWorkloadIdentity } from "./calls.harness.js";

const AUDIENCE = "api://AzureADTokenExchange";
const NS = "default";
const SA = "workload-sa";
const POD = "wi-exchange";
const IDENTITY = "id-pod-exchange";
const FIC = "fic-pod-exchange";
const SUBJECT = `system:serviceaccount:${NS}:${SA}`;

let sb: TestSandbox;
let cloud: CloudProfile;
let msi: ManagedServiceIdentityClient;
let env: NodeJS.ProcessEnv;
let issuerURL: string;
let identity: { clientId: string; principalId: string; tenantId: string };
let podEnv: Record<string, string>;
/** The pod's projected service-account token (never printed). */
let podToken: string;

function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn("kubectl", args, { env });
    let stdout = "",
      stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    p.stdin.end(input ?? "");
  });
}

/** kubectl that must succeed; its stdout. */
async function kubectlOk(args: string[]): Promise<string> {
  const r = await kubectl(args);
  expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: "" });
  return r.stdout;
}

function credential(): ClientAssertionCredential {
  const token = podToken;
  return new ClientAssertionCredential(podEnv.AZURE_TENANT_ID, identity.clientId, () => Promise.resolve(token), {
    authorityHost: cloud.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: cloud.caPem! },
  } as ConstructorParameters<typeof ClientAssertionCredential>[3]);
}

/** The message of the exchange's failure (it carries Entra's AADSTS code and description). */
async function exchangeFailure(): Promise<string> {
  try {
    await credential().getToken(cloud.armScope);
  } catch (e) {
    return String((e as Error).message);
  }
  throw new Error("the exchange unexpectedly succeeded");
}

const aadsts = (message: string) => /AADSTS(\d+)/.exec(message)?.[1];

async function putCredential(fic: { issuer: string; subject: string; audience: string }): Promise<void> {
  const written = await msi.federatedIdentityCredentials.createOrUpdate(sb.info.resourceGroup, IDENTITY, FIC, {
    issuer: fic.issuer,
    subject: fic.subject,
    audiences: [fic.audience],
  });
  expect({ issuer: written.issuer, subject: written.subject, audiences: written.audiences }).toEqual({
    issuer: fic.issuer,
    subject: fic.subject,
    audiences: [fic.audience],
  });
}

beforeAll(async () => {
  sb = await startTestSandbox();
  cloud = sandboxCloud(sb.dir);
  env = { ...process.env, KUBECONFIG: sb.info.kubeconfig, HOME: sb.dir };
  const cred = await operatorCredential(sb);
  const options = cloud.clientOptions();

  issuerURL = await enableWorkloadIdentity(sb);
  expect(issuerURL).toMatch(/^https:\/\/.+\/$/);

  // The user-assigned identity, as `az identity create`.
  msi = new ManagedServiceIdentityClient(cred, sb.info.subscriptionId, options);
  const mi = await msi.userAssignedIdentities.createOrUpdate(sb.info.resourceGroup, IDENTITY, { location: sb.info.location });
  identity = { clientId: mi.clientId!, principalId: mi.principalId!, tenantId: mi.tenantId! };
  expect(identity.tenantId).toBe(sb.info.tenantId);

  // The service account, annotated with the identity's client ID, and a labelled pod using it.
  await kubectlOk(["create", "serviceaccount", SA, "-n", NS]);
  await kubectlOk(["annotate", "serviceaccount", SA, "-n", NS, `azure.workload.identity/client-id=${identity.clientId}`]);
  await kubectlOk([
    "run",
    POD,
    "-n",
    NS,
    "--image=alpine",
    "--labels=azure.workload.identity/use=true",
    `--overrides=${JSON.stringify({ spec: { serviceAccountName: SA } })}`,
    "--",
    "sleep",
    "infinity",
  ]);

  // What the webhook put in the pod's environment, then the token file it names.
  const envOut = await kubectlOk(["exec", POD, "-n", NS, "--", "sh", "-c", "env | grep ^AZURE_"]);
  podEnv = Object.fromEntries(
    envOut
      .trim()
      .split("\n")
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );
  expect(podEnv.AZURE_CLIENT_ID).toBe(identity.clientId);
  expect(podEnv.AZURE_TENANT_ID).toBe(sb.info.tenantId);
  expect(podEnv.AZURE_AUTHORITY_HOST).toBe(cloud.authorityHost + "/");
  expect(podEnv.AZURE_FEDERATED_TOKEN_FILE).toMatch(/^\//);
  podToken = (await kubectlOk(["exec", POD, "-n", NS, "--", "cat", podEnv.AZURE_FEDERATED_TOKEN_FILE])).trim();
  expect(decodeJwt(podToken)).toMatchObject({ iss: issuerURL, sub: SUBJECT, aud: [AUDIENCE] });
}, 60_000);
afterAll(async () => {
  await sb?.stop();
});

describe("exchanging a pod's token at the sandbox token endpoint", () => {
  it("without a federated credential → AADSTS70021, naming the assertion's issuer and subject", async () => {
    const m = await exchangeFailure();
    expect(aadsts(m)).toBe("70021");
    expect(m).toContain(`Assertion Issuer: '${issuerURL}'`);
    expect(m).toContain(`Assertion Subject: '${SUBJECT}'`);
  });

  it("a credential whose issuer lacks the trailing slash → AADSTS700211", async () => {
    await putCredential({ issuer: issuerURL.replace(/\/$/, ""), subject: SUBJECT, audience: AUDIENCE });
    expect(aadsts(await exchangeFailure())).toBe("700211");
  });

  it("a credential whose issuer has one slash too many → AADSTS700211", async () => {
    await putCredential({ issuer: issuerURL + "/", subject: SUBJECT, audience: AUDIENCE });
    expect(aadsts(await exchangeFailure())).toBe("700211");
  });

  it("a credential with the wrong audience → AADSTS700212", async () => {
    await putCredential({ issuer: issuerURL, subject: SUBJECT, audience: "api://AzureADTokenExchange/other" });
    expect(aadsts(await exchangeFailure())).toBe("700212");
  });

  it("a credential with the wrong subject → AADSTS700213", async () => {
    await putCredential({ issuer: issuerURL, subject: `system:serviceaccount:${NS}:other-sa`, audience: AUDIENCE });
    expect(aadsts(await exchangeFailure())).toBe("700213");
  });

  it("the matching credential → an ARM access token for the identity", async () => {
    await putCredential({ issuer: issuerURL, subject: SUBJECT, audience: AUDIENCE });
    const t = await credential().getToken(cloud.armScope);
    expect(t).not.toBeNull();
    const claims = decodeJwt(t!.token);
    expect(claims.oid).toBe(identity.principalId);
    expect(claims.tid).toBe(sb.info.tenantId);
    expect(claims.appid ?? claims.azp).toBe(identity.clientId);
    expect(claims.aud).toBe(sb.info.armAudience.replace(/\/$/, ""));
    expect(t!.expiresOnTimestamp).toBeGreaterThan(Date.now());
  });

  it("once the credential is deleted → AADSTS70021 again", async () => {
    await msi.federatedIdentityCredentials.delete(sb.info.resourceGroup, IDENTITY, FIC);
    expect(aadsts(await exchangeFailure())).toBe("70021");
  });
});
