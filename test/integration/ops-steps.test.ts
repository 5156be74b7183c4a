// The eight init steps in order over the real ops against the sandbox, then a re-run that plans
// "none" everywhere and makes no writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { createAzureOps } from "../../src/azure/ops.js";
import { kubeSource } from "../../src/kube/connect.js";
import { createKubeOps } from "../../src/kube/ops.js";
import { STEPS } from "../../src/init/steps/index.js";
import type { AzureOps, KubeOps } from "../../src/core/ports.js";
import type { InitInputs, InitState } from "../../src/init/state.js";
import { Writable } from "node:stream";
import { runSteps, type RunResult } from "../../src/init/runner.js";
import type { StepContext } from "../../src/init/step.js";
import { createUi } from "../../src/terminal/ui.js";
import { startTestSandbox } from "../helpers/sandbox.js";

const READS = /^(get|list|resolve|namespaceExists|waitFor|canI|callerPermissions)/;

/** Wraps ops so every call that is not a read is recorded. */
function recording<T extends object>(target: T, writes: string[]): T {
  return new Proxy(target, {
    get(t, prop, recv) {
      const v = Reflect.get(t, prop, recv);
      if (typeof v !== "function" || typeof prop !== "string") return v;
      return (...args: unknown[]) => {
        if (!READS.test(prop)) writes.push(prop);
        return v.apply(t, args);
      };
    },
  });
}

const quiet = () => new Writable({ write: (_c, _e, cb) => cb() });

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let ctx: Omit<StepContext, "seen">;
const writes: string[] = [];

beforeAll(async () => {
  sb = await startTestSandbox();
  const profile = sandboxCloud(sb.dir);
  const azure: AzureOps = recording(
    createAzureOps(profile, { clusterPollMs: 100, replication: { initialDelayMs: 50, maxDelayMs: 500, budgetMs: 20_000 } }),
    writes,
  );
  const { subscriptionId: subscription, resourceGroup, clusterName: cluster } = sb.info;
  let kube: KubeOps | undefined;
  const inputs: InitInputs = {
    subscription,
    resourceGroup,
    cluster,
    identity: "id-steps",
    identityResourceGroup: resourceGroup,
    namespace: "app",
    serviceAccount: "sa-app",
    federatedCredential: "fc-app",
    roles: [{ role: "Key Vault Secrets User", scope: `/subscriptions/${subscription}/resourceGroups/${resourceGroup}` }],
    testPod: true,
    testPodName: "aks-wi-test",
    overwrite: false,
    allowBroadScope: false,
  };
  const state: InitState = { version: 1, cloud: "sandbox", inputs, steps: {}, outputs: {}, updatedAt: new Date().toISOString() };
  ctx = {
    inputs,
    state,
    azure,
    kube: async () => {
      // The cluster's credential from ARM, as init gets it (the sandbox cluster is not Entra-integrated: no token).
      const src = kube
        ? undefined
        : await kubeSource(
            {},
            {},
            { subscription, resourceGroup, cluster },
            async () => azure,
            async () => "",
          );
      return (kube ??= recording(createKubeOps(src!.yaml, src!.context, { token: src!.token }), writes));
    },
  };
});
afterAll(async () => {
  await sb?.stop();
});

function run(): Promise<RunResult> {
  return runSteps({ steps: STEPS, ctx, ui: createUi({ interactive: false, stream: quiet() }), dryRun: false, yes: true, save: async () => {} });
}

describe("init steps on the sandbox", () => {
  it("a fresh run converges; a re-run plans none for all eight and writes nothing", async () => {
    const first = await run();
    expect(first.plans.map((p) => p.change)).toEqual(["update", "read", "create", "create", "create", "create", "none", "create"]);
    // Every write made through the real SDKs is one of the plan's operations, one for one.
    expect(writes.slice().sort()).toEqual([
      "createIdentity",
      "createNamespace",
      "createPod",
      "createRoleAssignment",
      "createServiceAccount",
      "enableWorkloadIdentity",
      "putFederatedCredential",
    ]);
    expect(first.operations.filter((o) => o.action !== "read").length).toBe(writes.length);
    const o = ctx.state.outputs;
    expect(o.issuerUrl).toMatch(/\/$/);
    expect(o.federatedCredential).toMatchObject({
      issuer: o.issuerUrl,
      subject: "system:serviceaccount:app:sa-app",
      audiences: ["api://AzureADTokenExchange"],
    });
    expect(o.roleAssignments).toHaveLength(1);
    expect(o.roleAssignments![0]!.principalId).toBe(o.identity!.principalId);
    expect(o.testPod?.phase).toBe("Running");
    const pod = await (await ctx.kube()).getPod("app", "aks-wi-test");
    expect(pod!.containers.find((c) => !c.init)!.env.AZURE_CLIENT_ID).toBe(o.identity!.clientId);

    const writesAfterFirst = writes.length;
    expect(writesAfterFirst).toBeGreaterThanOrEqual(7);
    const second = await run();
    expect(second.plans.map((p) => p.change)).toEqual(Array(8).fill("none"));
    expect(writes.slice(writesAfterFirst)).toEqual([]);
  });
});
