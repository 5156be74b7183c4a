// Acceptance (issue 11, a test pod fit for hardened clusters): in a namespace that enforces Pod
// Security "restricted", a pod like aks-wi's old one is refused by the real kubectl, while
// `aks-wi init` starts its test pod there (restricted-compliant, probed, with requests and
// limits) and `aks-wi verify` proves the chain from inside it. --test-pod-image names a mirror.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../helpers/sandbox.js";
import { cleanEnv, kubectlJson, runCli, tempDir } from "../helpers/init-cli.harness.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let cwd: string;
const NS = "locked";

const kubectl = (args: string[], input?: string) =>
  new Promise<{ code: number; out: string; err: string }>((resolve) => {
    const child = execFile("kubectl", args, { env: { ...cleanEnv(), KUBECONFIG: sb.info.kubeconfig }, encoding: "utf8" }, (e, out, err) =>
      resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err }),
    );
    child.stdin!.end(input ?? "");
  });

beforeAll(async () => {
  sb = await startTestSandbox();
  cwd = tempDir("aks-wi-hardened-");
  const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: NS, labels: { "pod-security.kubernetes.io/enforce": "restricted" } } };
  expect((await kubectl(["apply", "-f", "-"], JSON.stringify(ns))).code).toBe(0);
});
afterAll(async () => {
  await sb?.stop();
});

describe("the test pod on a namespace enforcing Pod Security restricted", () => {
  it("a pod without a securityContext (aks-wi's old test pod) is refused there", async () => {
    const old = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "old", namespace: NS },
      spec: { containers: [{ name: "main", image: "mcr.microsoft.com/cbl-mariner/busybox:2.0", command: ["sleep", "3600"] }] },
    };
    const r = await kubectl(["apply", "-f", "-"], JSON.stringify(old));
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(
      /pods "old" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false .*unrestricted capabilities .*runAsNonRoot != true .*seccompProfile/,
    );
  });

  it("init starts its test pod there, and verify passes from inside it", async () => {
    const init = await runCli(
      ["init", "--sandbox", "--sandbox-dir", sb.dir, "--yes", "--identity", "id-locked", "--namespace", NS, "--service-account", "sa-locked"],
      { cwd },
    );
    expect(init.code, `${init.stdout}\n${init.stderr}`).toBe(0);
    const pod = await kubectlJson(sb.info.kubeconfig, ["get", "pod", "aks-wi-test", "-n", NS]);
    expect(pod.status.phase).toBe("Running");
    expect(pod.spec.containers[0].image).toBe("mcr.microsoft.com/azurelinux/busybox:1.36");
    expect(pod.spec.containers[0].readinessProbe.exec.command[0]).toBe("sh");
    expect(pod.spec.containers[0].resources.requests).toEqual({ cpu: "10m", memory: "16Mi" });
    const v = await runCli(["verify", "--sandbox", "--sandbox-dir", sb.dir], { cwd });
    expect(v.code, v.stdout).toBe(0);
    expect(v.stdout).toMatch(/^PASS\s+token\s/m);
    expect(v.stdout).toMatch(/^PASS\s+exchange\s/m);
  });

  it("--test-pod-image (and AKS_WI_TEST_POD_IMAGE) puts a mirror's image in the plan's pod", async () => {
    const args = [
      "init",
      "--sandbox",
      "--sandbox-dir",
      sb.dir,
      "--yes",
      "--dry-run",
      "--output",
      "json",
      "--identity",
      "id-other",
      "--namespace",
      "other",
      "--service-account",
      "sa-other",
      "--state",
      `${cwd}/other.json`,
    ];
    const image = (r: { stdout: string }) => JSON.stringify(JSON.parse(r.stdout)).match(/"image":"([^"]+)"/)?.[1];
    const byFlag = await runCli([...args, "--test-pod-image", "myacr.azurecr.io/mirror/azurelinux/busybox:1.36"], { cwd });
    expect(byFlag.code, byFlag.stderr).toBe(0);
    expect(image(byFlag)).toBe("myacr.azurecr.io/mirror/azurelinux/busybox:1.36");
    const byEnv = await runCli(args, { cwd, env: { AKS_WI_TEST_POD_IMAGE: "myacr.azurecr.io/mirror/busybox:1" } });
    expect(image(byEnv)).toBe("myacr.azurecr.io/mirror/busybox:1");
    const bad = await runCli([...args, "--test-pod-image", "Not An Image"], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--test-pod-image "Not An Image": image must be a reference/);
  });
});
