// KubeOps under the retry policy, against a scripted local API server: reads repeat 429 (as
// Retry-After says), 5xx and dropped connections with a progress line each; a 404 is an answer;
// a create retried after a lost answer meets its own object (409) and counts it as done.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { transientOf } from "../../../src/core/retry.js";
import { KubeError, createKubeOps } from "../../../src/kube/ops.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A local API server answering each request with the next handler (the last one repeats). */
async function apiServer(handlers: Handler[]): Promise<{ kubeconfig: string; seen: string[] }> {
  const seen: string[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      (handlers.length > 1 ? handlers.shift()! : handlers[0]!)(req, res, body);
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u } }]
current-context: x
`;
  return { kubeconfig, seen };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_q, res) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
const status = (code: number, reason: string, headers?: Record<string, string>) =>
  json(code, { kind: "Status", apiVersion: "v1", status: "Failure", reason, code, message: `${reason} (injected)` }, headers);
const drop: Handler = (req) => req.socket.destroy();
const pod = (labels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "ns", uid: "u1", labels },
  spec: { serviceAccountName: "sa", containers: [{ name: "main" }] },
  status: { phase: "Pending" },
});

function ops(kubeconfig: string, lines: string[], retries?: number) {
  return createKubeOps(kubeconfig, undefined, {
    onRetry: (l) => lines.push(l),
    retryPolicy: { baseDelayMs: 5, ...(retries !== undefined ? { retries } : {}) },
  });
}

const stall: Handler = () => {}; // never answers
/** Sends the headers and half a body, then stalls. */
const stallBody: Handler = (_q, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.write('{"kind":"Pod",');
};

describe("KubeOps retries", () => {
  it("a read that gets no (complete) answer within the time limit is retried, one line each, at most twice", async () => {
    const { kubeconfig, seen } = await apiServer([stall, stallBody, json(200, pod())]);
    const lines: string[] = [];
    const o = { onRetry: (l: string) => lines.push(l), retryPolicy: { baseDelayMs: 5 }, timeoutMs: 100 };
    expect((await createKubeOps(kubeconfig, undefined, o).getPod("ns", "p"))?.uid).toBe("u1");
    expect(seen).toHaveLength(3);
    expect(lines).toEqual([
      expect.stringMatching(/^Kubernetes API timed out after 0\.1 s, retry 1\/2 in 0\.0 s \(reading pod ns\/p\)$/),
      expect.stringMatching(/^Kubernetes API timed out after 0\.1 s, retry 2\/2 in 0\.0 s \(reading pod ns\/p\)$/),
    ]);
  });

  it("a server that never answers: three attempts, then one error naming the limit, marked transient", async () => {
    const silent = await apiServer([stall]);
    const o = { retryPolicy: { baseDelayMs: 5 }, timeoutMs: 100 };
    const err = await createKubeOps(silent.kubeconfig, undefined, o)
      .getPod("ns", "p")
      .catch((e: unknown) => e);
    expect(silent.seen).toHaveLength(3);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as KubeError).message).toBe("reading pod ns/p: no answer from the API server (timed out after 0.1 s)");
    expect(transientOf(err)).toBe("timed out after 0.1 s");
  });

  it("a read repeats 429 (waiting as Retry-After says), 500, 503 and a dropped connection, one line each", async () => {
    const { kubeconfig, seen } = await apiServer([
      status(429, "TooManyRequests", { "retry-after": "0.2" }),
      status(500, "InternalError"),
      drop,
      status(503, "ServiceUnavailable"),
      json(200, pod()),
    ]);
    const lines: string[] = [];
    const t0 = Date.now();
    const got = await ops(kubeconfig, lines).getPod("ns", "p");
    expect(got?.uid).toBe("u1");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(seen).toHaveLength(5);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe("Kubernetes API 429, retry 1/6 in 0.2 s (reading pod ns/p)");
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["Kubernetes API 500", "Kubernetes API ECONNRESET", "Kubernetes API 503"]);
  });

  it("a 404 is an answer, not a blip: no retry", async () => {
    const { kubeconfig, seen } = await apiServer([status(404, "NotFound")]);
    const lines: string[] = [];
    expect(await ops(kubeconfig, lines).getPod("ns", "p")).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(lines).toEqual([]);
  });

  it("gives up after its bound with a one-line error that says it stayed transient", async () => {
    const { kubeconfig, seen } = await apiServer([status(503, "ServiceUnavailable")]);
    const lines: string[] = [];
    const e = await ops(kubeconfig, lines, 2)
      .listNamespaces()
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(KubeError);
    expect((e as KubeError).message).toBe("listing namespaces: ServiceUnavailable (injected)");
    expect((e as KubeError).suggestion).toMatch(/did not recover within the retries/);
    expect(transientOf(e)).toBe("503");
    expect(seen).toHaveLength(3);
    expect(lines).toHaveLength(2);
  });

  it("a pod create whose answer was lost meets its own pod on the retry (409) and returns it", async () => {
    const { kubeconfig, seen } = await apiServer([drop, status(409, "AlreadyExists"), json(200, pod({ app: "t" }))]);
    const lines: string[] = [];
    const created = await ops(kubeconfig, lines).createPod(pod({ app: "t" }));
    expect(created.uid).toBe("u1");
    expect(seen).toEqual(["POST /api/v1/namespaces/ns/pods", "POST /api/v1/namespaces/ns/pods", "GET /api/v1/namespaces/ns/pods/p"]);
  });

  it("a 409 on the first attempt, or from a pod without our labels, is someone else's pod", async () => {
    const first = await apiServer([status(409, "AlreadyExists")]);
    const e = await ops(first.kubeconfig, [])
      .createPod(pod({ app: "t" }))
      .catch((x: unknown) => x);
    expect((e as KubeError).status).toBe(409);
    expect(first.seen).toHaveLength(1);
    await new Promise((r) => server!.close(r));
    const foreign = await apiServer([drop, status(409, "AlreadyExists"), json(200, pod({ app: "other" }))]);
    const e2 = await ops(foreign.kubeconfig, [])
      .createPod(pod({ app: "t" }))
      .catch((x: unknown) => x);
    expect((e2 as KubeError).status).toBe(409);
  });

  it("a namespace create retried after a dropped answer counts 409 as done", async () => {
    const { kubeconfig, seen } = await apiServer([drop, status(409, "AlreadyExists")]);
    await ops(kubeconfig, []).createNamespace("ns");
    expect(seen).toEqual(["POST /api/v1/namespaces", "POST /api/v1/namespaces"]);
  });
});
