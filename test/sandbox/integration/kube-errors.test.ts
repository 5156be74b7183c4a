// The cluster's API over raw HTTPS: bad bodies, unknown paths and missing tokens each get
// Kubernetes' Status shape with the right reason and code, and the server keeps answering.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { rawCall } from "./calls.harness.js";

let sb: TestSandbox;
let token: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  token = parse(readFileSync(sb.info.kubeconfig, "utf8")).users[0].user.token;
});
afterAll(async () => sb?.stop());

const call = (method: string, path: string, opts: { token?: string; body?: string; contentType?: string } = {}) =>
  rawCall(sb, method, path, { ...opts, base: sb.info.kubeServer });

const expectStatus = (r: { status: number; json?: any }, code: number, reason: string) => {
  expect(r.status).toBe(code);
  expect(r.json).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", reason, code });
  expect(typeof r.json.message).toBe("string");
};

describe("Kubernetes API errors", () => {
  it("a request without a token is 401 Unauthorized", async () => {
    expectStatus(await call("GET", "/api/v1/namespaces"), 401, "Unauthorized");
    expectStatus(await call("GET", "/api/v1/namespaces", { token: "nope" }), 401, "Unauthorized");
  });

  it("malformed JSON is 400 BadRequest; an unknown media type is 415", async () => {
    const path = "/api/v1/namespaces/default/serviceaccounts";
    expectStatus(await call("POST", path, { token, body: "{not json" }), 400, "BadRequest");
    expectStatus(await call("POST", path, { token, body: "<sa/>", contentType: "application/xml" }), 415, "UnsupportedMediaType");
  });

  it("an unknown path or resource is 404 NotFound, a missing object names its kind", async () => {
    expectStatus(await call("GET", "/api/v1/namespaces/default/widgets", { token }), 404, "NotFound");
    // Outside /api and /apis the real apiserver answers plain text, not a Status.
    const outside = await call("GET", "/no/such/path", { token });
    expect([outside.status, outside.text]).toEqual([404, "404 page not found\n"]);
    const missing = await call("GET", "/api/v1/namespaces/default/serviceaccounts/ghost", { token });
    expectStatus(missing, 404, "NotFound");
    expect(missing.json.message).toBe('serviceaccounts "ghost" not found');
    expect(missing.json.details).toMatchObject({ name: "ghost", kind: "serviceaccounts" });
  });

  it("still answers after all of the above", async () => {
    const r = await call("GET", "/api/v1/namespaces/default", { token });
    expect(r.status).toBe(200);
    expect(r.json.metadata.name).toBe("default");
  });
});
