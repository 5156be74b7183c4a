// Workload identity federation against the sandbox's Entra with the REAL ClientAssertionCredential:
// a service-account token minted by the cluster issuer is exchanged for a managed identity's ARM
// token only when a federated credential matches; each kind of mismatch gets its own AADSTS code.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ClientAssertionCredential, WorkloadIdentityCredential } from "@azure/identity";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { SignJWT, decodeJwt } from "jose";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { key } from "../../../sandbox/core/world.js";

const AUDIENCE = "api://AzureADTokenExchange";
const ARM_SCOPE = "https://management.azure.com/.default";

interface Identity {
  clientId: string;
  principalId: string;
}

/** Creates a user-assigned identity, its Entra principal and (optionally) one federated credential
 *  directly in the world, as ARM would have. */
function addIdentity(sb: TestSandbox, fic?: { issuer: string; subject: string; audience?: string; updatedAt?: number }): Identity {
  const { world, ctx } = sb.sandbox;
  const s = world.state;
  const name = `id-${randomUUID().slice(0, 8)}`;
  const id = `/subscriptions/${s.subscriptionId}/resourceGroups/rg-sandbox/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`;
  const clientId = randomUUID();
  const principalId = randomUUID();
  const now = ctx.now();
  s.identities[key(id)] = { id, name, resourceGroup: "rg-sandbox", location: "eastus", clientId, principalId, tenantId: s.tenantId, createdAt: now };
  s.principals[clientId.toLowerCase()] = { clientId, principalId, displayName: name, kind: "managedIdentity", createdAt: now };
  if (fic) {
    const ficId = `${id}/federatedIdentityCredentials/fic-${name}`;
    s.federatedCredentials[key(ficId)] = {
      id: ficId,
      name: `fic-${name}`,
      identityKey: key(id),
      issuer: fic.issuer,
      subject: fic.subject,
      audiences: [fic.audience ?? AUDIENCE],
      createdAt: fic.updatedAt ?? now,
      updatedAt: fic.updatedAt ?? now,
    };
  }
  world.save();
  return { clientId, principalId };
}

function enableOidc(sb: TestSandbox): string {
  const issuerURL = `${sb.info.oidcBase}/${sb.info.tenantId}/${randomUUID()}/`;
  sb.sandbox.world.cluster().body.properties.oidcIssuerProfile = { enabled: true, issuerURL };
  sb.sandbox.world.save();
  return issuerURL;
}

function saToken(sb: TestSandbox, opts: { namespace?: string; sa?: string; audience?: string; expirationSeconds?: number } = {}): Promise<string> {
  return sb.sandbox.ctx.clusterIssuer.mintServiceAccountToken({
    namespace: opts.namespace ?? "default",
    serviceAccount: opts.sa ?? "workload-sa",
    serviceAccountUid: randomUUID(),
    audiences: [opts.audience ?? AUDIENCE],
    expirationSeconds: opts.expirationSeconds ?? 3600,
    pod: { name: "wi-test", uid: randomUUID() },
  });
}

function credential(sb: TestSandbox, clientId: string, assertion: string | (() => Promise<string>)) {
  const get = typeof assertion === "string" ? async () => assertion : assertion;
  return new ClientAssertionCredential(sb.info.tenantId, clientId, get, {
    authorityHost: sb.info.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: readFileSync(sb.info.caFile, "utf8") },
  } as ConstructorParameters<typeof ClientAssertionCredential>[3]);
}

/** The AADSTS code a failed exchange reports (the credential surfaces Entra's description). */
async function exchangeError(sb: TestSandbox, clientId: string, assertion: string): Promise<number> {
  try {
    await credential(sb, clientId, assertion).getToken(ARM_SCOPE);
  } catch (e) {
    const m = /AADSTS(\d+)/.exec(String((e as Error).message));
    if (m) return Number(m[1]);
    throw e;
  }
  throw new Error("the exchange unexpectedly succeeded");
}

describe("client assertion exchange", () => {
  let sb: TestSandbox;
  let issuer: string;
  const subject = "system:serviceaccount:default:workload-sa";

  beforeAll(async () => {
    sb = await startTestSandbox();
    issuer = enableOidc(sb);
  });
  afterAll(async () => {
    await sb?.stop();
  });

  test("a matching federated credential yields an ARM token for the managed identity", async () => {
    const mi = addIdentity(sb, { issuer, subject });
    const assertion = await saToken(sb);
    expect(decodeJwt(assertion).iss).toBe(issuer);
    const t = await credential(sb, mi.clientId, assertion).getToken(ARM_SCOPE);
    const claims = decodeJwt(t!.token);
    expect(claims).toMatchObject({ tid: sb.info.tenantId, oid: mi.principalId, appid: mi.clientId, aud: "https://management.azure.com" });
    // ARM accepts it: the same verification the sandbox's ARM runs on every request.
    const check = await sb.sandbox.ctx.tokens.verifyBearer(`Bearer ${t!.token}`, [sb.info.armAudience], sb.info.tenantId);
    expect(check.ok).toBe(true);
  });

  test("issuer without its trailing slash in the credential → AADSTS700211", async () => {
    const mi = addIdentity(sb, { issuer: issuer.replace(/\/$/, ""), subject });
    expect(await exchangeError(sb, mi.clientId, await saToken(sb))).toBe(700211);
  });

  test("wrong subject → AADSTS700213; a case-only difference → AADSTS7002138", async () => {
    const mi = addIdentity(sb, { issuer, subject: "system:serviceaccount:default:other-sa" });
    expect(await exchangeError(sb, mi.clientId, await saToken(sb))).toBe(700213);
    const mi2 = addIdentity(sb, { issuer, subject: "system:serviceaccount:default:Workload-SA" });
    expect(await exchangeError(sb, mi2.clientId, await saToken(sb))).toBe(7002138);
  });

  test("wrong audience → AADSTS700212", async () => {
    const mi = addIdentity(sb, { issuer, subject, audience: "api://SomethingElse" });
    expect(await exchangeError(sb, mi.clientId, await saToken(sb))).toBe(700212);
  });

  test("no federated credential → AADSTS70021, with the assertion's issuer, subject and audience", async () => {
    const mi = addIdentity(sb);
    try {
      await credential(sb, mi.clientId, await saToken(sb)).getToken(ARM_SCOPE);
      expect.unreachable();
    } catch (e) {
      const msg = String((e as Error).message);
      expect(msg).toContain("AADSTS70021:");
      expect(msg).toContain(`Assertion Issuer: '${issuer}'`);
      expect(msg).toContain(`Assertion Subject: '${subject}'`);
    }
  });

  test("unknown client ID → AADSTS700016", async () => {
    expect(await exchangeError(sb, randomUUID(), await saToken(sb))).toBe(700016);
  });

  test("expired assertion → AADSTS700024", async () => {
    const mi = addIdentity(sb, { issuer, subject });
    expect(await exchangeError(sb, mi.clientId, await saToken(sb, { expirationSeconds: -3600 }))).toBe(700024);
  });

  test("issuer host unreachable → AADSTS90061", async () => {
    const deadIssuer = `https://127.0.0.1:1/${sb.info.tenantId}/${randomUUID()}/`;
    const mi = addIdentity(sb, { issuer: deadIssuer, subject });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(deadIssuer)
      .setSubject(subject)
      .setAudience([AUDIENCE])
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
    expect(await exchangeError(sb, mi.clientId, forged)).toBe(90061);
  });

  test("a token not signed by the issuer's key is refused even when the credential matches", async () => {
    const mi = addIdentity(sb, { issuer, subject });
    const real = await saToken(sb);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const claims = decodeJwt(real);
    const kid = JSON.parse(Buffer.from(real.split(".")[0], "base64url").toString()).kid as string;
    const sameKid = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid }).sign(privateKey);
    expect(await exchangeError(sb, mi.clientId, sameKid)).toBe(50013);
    const otherKid = await new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "not-published" }).sign(privateKey);
    expect(await exchangeError(sb, mi.clientId, otherKid)).toBe(7000272);
  });

  test("before the OIDC issuer is enabled the token's issuer is the in-cluster one, which Entra cannot use", async () => {
    const fresh = await startTestSandbox();
    try {
      const assertion = await saToken(fresh);
      expect(decodeJwt(assertion).iss).toBe("https://kubernetes.default.svc.cluster.local");
      const mi = addIdentity(fresh, { issuer: "https://kubernetes.default.svc.cluster.local", subject });
      // The credential matches, but the issuer's discovery document cannot be fetched.
      expect(await exchangeError(fresh, mi.clientId, assertion)).toBe(90061);
    } finally {
      await fresh.stop();
    }
  });
});

describe("federated credential propagation", () => {
  test("a new credential is refused with AADSTS70021 until the propagation delay has passed", async () => {
    const sb = await startTestSandbox({ latency: { ficPropagationMs: 800 } });
    try {
      const issuer = enableOidc(sb);
      const mi = addIdentity(sb, { issuer, subject: "system:serviceaccount:default:workload-sa" });
      const written = sb.sandbox.ctx.now();
      expect(await exchangeError(sb, mi.clientId, await saToken(sb))).toBe(70021);
      await new Promise((r) => setTimeout(r, Math.max(0, written + 850 - Date.now())));
      const t = await credential(sb, mi.clientId, await saToken(sb)).getToken(ARM_SCOPE);
      expect(decodeJwt(t!.token).oid).toBe(mi.principalId);
    } finally {
      await sb.stop();
    }
  });
});

describe("end to end through ARM", () => {
  test("OIDC enabled by the real ARM SDK; WorkloadIdentityCredential reads the projected token file", async () => {
    const sb = await startTestSandbox();
    try {
      const profile = sandboxCloud(sb.dir);
      const client = new ContainerServiceClient(profile.credential(), sb.info.subscriptionId, profile.clientOptions());
      const current = await client.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
      const updated = await client.managedClusters.beginCreateOrUpdateAndWait(
        sb.info.resourceGroup,
        sb.info.clusterName,
        {
          ...current,
          oidcIssuerProfile: { enabled: true },
          securityProfile: { ...current.securityProfile, workloadIdentity: { enabled: true } },
        },
        { updateIntervalInMs: 10 },
      );
      const issuer = updated.oidcIssuerProfile!.issuerURL!;
      expect(issuer).toMatch(new RegExp(`^${sb.info.oidcBase.replace(/[.]/g, "\\.")}/${sb.info.tenantId}/[0-9a-f-]{36}/$`));
      expect(sb.sandbox.ctx.clusterIssuer.currentIssuer()).toBe(issuer);

      const mi = addIdentity(sb, { issuer, subject: "system:serviceaccount:default:workload-sa" });
      const tokenFile = join(sb.dir, "azure-identity-token");
      writeFileSync(tokenFile, await saToken(sb), { mode: 0o600 });
      const cred = new WorkloadIdentityCredential({
        tenantId: sb.info.tenantId,
        clientId: mi.clientId,
        tokenFilePath: tokenFile,
        // As the webhook sets AZURE_AUTHORITY_HOST in the pod: with a trailing slash, like Azure's.
        authorityHost: `${sb.info.authorityHost}/`,
        disableInstanceDiscovery: true,
        tlsOptions: { ca: readFileSync(sb.info.caFile, "utf8") },
      } as ConstructorParameters<typeof WorkloadIdentityCredential>[0]);
      const t = await cred.getToken(ARM_SCOPE);
      expect(decodeJwt(t!.token)).toMatchObject({ oid: mi.principalId, appid: mi.clientId, tid: sb.info.tenantId });
    } finally {
      await sb.stop();
    }
  });
});
