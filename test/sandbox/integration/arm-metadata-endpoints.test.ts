// ARM's cloud metadata (GET {arm}/metadata/endpoints), as `az cloud register
// --endpoint-resource-manager` reads it: no token needed, the shape of the api-version asked
// for, and a document a client can actually sign in and call ARM with.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { ClientSecretCredential } from "@azure/identity";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { rawCall } from "./calls.harness.js";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => sb?.stop());

const metadata = (apiVersion?: string) => rawCall(sb, "GET", `/metadata/endpoints${apiVersion ? `?api-version=${apiVersion}` : ""}`);

describe("GET /metadata/endpoints", () => {
  it("answers without a token, at 2022-09-01 with the cloud itself (what az asks for)", async () => {
    const r = await metadata("2022-09-01");
    expect(r.status).toBe(200);
    expect(r.headers["x-ms-request-id"]).toBeDefined();
    expect(r.json).toMatchObject({
      name: "aks-wi-sandbox",
      resourceManager: `${sb.info.armEndpoint}/`,
      authentication: {
        loginEndpoint: `${sb.info.authorityHost}/`,
        audiences: ["https://management.core.windows.net/", sb.info.armAudience],
        identityProvider: "AAD",
      },
      suffixes: { keyVaultDns: "vault.azure.net", storage: "core.windows.net" },
    });
  });

  it("answers a list of clouds from 2019-05-01, and the older flat document before that", async () => {
    const list = await metadata("2019-05-01");
    expect(list.status).toBe(200);
    expect(list.json).toEqual([(await metadata("2022-09-01")).json]);
    for (const v of ["2015-01-01", "1.0"]) {
      const old = await metadata(v);
      expect(old.status).toBe(200);
      expect(old.json).toEqual({
        graphEndpoint: "https://graph.windows.net/",
        authentication: { loginEndpoint: `${sb.info.authorityHost}/`, audiences: ["https://management.core.windows.net/", sb.info.armAudience] },
      });
    }
  });

  it("wants a dated api-version and a GET", async () => {
    expect((await metadata()).json.error.code).toBe("MissingApiVersionParameter");
    const bad = await metadata("latest");
    expect([bad.status, bad.json.error.code]).toEqual([400, "InvalidApiVersionParameter"]);
    const post = await rawCall(sb, "POST", "/metadata/endpoints?api-version=2022-09-01", { body: "{}" });
    expect([post.status, post.json.error.code]).toEqual([405, "MethodNotAllowed"]);
  });

  it("is enough to sign in and call ARM: its login endpoint and first audience give a token ARM takes", async () => {
    const doc = (await metadata("2022-09-01")).json;
    const ca = readFileSync(sb.info.caFile, "utf8");
    const cred = new ClientSecretCredential(sb.info.tenantId, sb.info.clientId, sb.info.clientSecret, {
      authorityHost: doc.authentication.loginEndpoint,
      disableInstanceDiscovery: true,
      tlsOptions: { ca },
    });
    const token = (await cred.getToken(`${doc.authentication.audiences[0]}.default`))!.token;
    const subs = await rawCall(sb, "GET", "/subscriptions?api-version=2022-12-01", { token, base: doc.resourceManager });
    expect(subs.status).toBe(200);
    expect(subs.json.value.map((s: { subscriptionId: string }) => s.subscriptionId)).toEqual([sb.info.subscriptionId, sb.info.unregisteredSubscriptionId]);
  });
});
