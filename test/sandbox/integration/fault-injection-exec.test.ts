// The exec WebSocket upgrade draws from the same fault plan as the Kubernetes API's HTTP requests:
// 429 and 503 are answered on the upgrade with Retry-After and a Status body, 500 with a Status
// body, a drop destroys the socket, slow delays the handshake; `kube.exec.KIND` lands on upgrades
// alone, a plain `kube.KIND` on either. Seen by a raw ws client with the kubeconfig's credentials.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";

const dir = mkdtempSync(join(tmpdir(), "aks-wi-exec-faults-"));
let sb: TestSandbox | undefined;
let kc: KubeConfig;

async function withFaults(spec: string): Promise<TestSandbox> {
  await sb?.stop();
  sb = await startTestSandbox({ dir, faults: spec });
  kc = new KubeConfig();
  kc.loadFromFile(sb.info.kubeconfig);
  return sb;
}

beforeAll(async () => {
  await withFaults("");
  await kc.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace: "default",
    body: { metadata: { name: "app" }, spec: { containers: [{ name: "app", image: "busybox:1.36" }] } },
  });
}, 60_000);
afterAll(async () => {
  await sb?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Upgrade = { opened: true } | { status: number; retryAfter?: string; body: any } | { error: string };

/** One exec upgrade of `true` in the pod, as client-node opens it: what the server answered. */
async function upgrade(): Promise<Upgrade & { ms: number }> {
  const opts: WebSocket.ClientOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const url = `${kc.getCurrentCluster()!.server.replace(/^https/, "wss")}/api/v1/namespaces/default/pods/app/exec?command=true&container=app&stdout=true`;
  const t0 = Date.now();
  const r = await new Promise<Upgrade>((resolve) => {
    const ws = new WebSocket(url, ["v5.channel.k8s.io"], opts);
    ws.on("open", () => {
      ws.close();
      resolve({ opened: true });
    });
    ws.on("unexpected-response", (_req, res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, retryAfter: res.headers["retry-after"] as string | undefined, body: JSON.parse(text) }));
    });
    ws.on("error", (e) => resolve({ error: e.message }));
  });
  return { ...r, ms: Date.now() - t0 };
}

describe("faults on the exec WebSocket upgrade", () => {
  it("429, 503 and 500 are answered on the upgrade in the API server's shape; a drop closes the socket", async () => {
    const s = await withFaults("kube.exec.429=1x1,kube.exec.503=1x1,kube.exec.500=1x1,kube.exec.drop=1x1,retry-after=0.2");
    // HTTP requests are not exec: they draw nothing from kube.exec rules.
    expect((await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace: "default", name: "app" })).metadata?.name).toBe("app");
    expect(s.sandbox.faults.injected()).toEqual({});
    expect(await upgrade()).toMatchObject({ status: 429, retryAfter: "0.2", body: { kind: "Status", reason: "TooManyRequests", code: 429 } });
    expect(await upgrade()).toMatchObject({ status: 503, retryAfter: "0.2", body: { kind: "Status", reason: "ServiceUnavailable", code: 503 } });
    const internal = await upgrade();
    expect(internal).toMatchObject({ status: 500, body: { kind: "Status", reason: "InternalError", code: 500 } });
    expect((internal as { retryAfter?: string }).retryAfter).toBeUndefined();
    expect(await upgrade()).toMatchObject({ error: expect.stringMatching(/socket hang up|ECONNRESET|closed/i) });
    expect(await upgrade()).toMatchObject({ opened: true });
    expect(s.sandbox.faults.injected()).toEqual({ "kube.exec.429": 1, "kube.exec.503": 1, "kube.exec.500": 1, "kube.exec.drop": 1 });
  });

  it("slow delays the handshake; a plain kube rule lands on upgrades and HTTP requests alike", async () => {
    let s = await withFaults("kube.exec.slow=1x1,slow-ms=400");
    const slow = await upgrade();
    expect(slow).toMatchObject({ opened: true });
    expect(slow.ms).toBeGreaterThanOrEqual(380);
    expect(s.sandbox.faults.injected()).toEqual({ "kube.exec.slow": 1 });
    s = await withFaults("kube.503=1x2");
    expect(await upgrade()).toMatchObject({ status: 503 });
    await expect(kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace: "default", name: "app" })).rejects.toMatchObject({ code: 503 });
    expect(await upgrade()).toMatchObject({ opened: true });
    expect(s.sandbox.faults.injected()).toEqual({ "kube.503": 2 });
  });
});
