// The seven init steps in order over the real ops against the sandbox, then a re-run that plans
// "none" everywhere and makes no writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { createAzureOps } from "../../src/azure/ops.js";
import { kubeSource } from "../../src/kube/connect.js";
import { createKubeOps } from "../../src/kube/ops.js";
import { STEPS } from "../../src/init/steps/index.js";
import type { AzureOps, KubeOps } from "../../src/core/ports.js";
import type { InitInputs, InitState } from "../../src/init/state.js";
import type { StepContext, StepPlan } from "../../src/init/step.js";
import type { Ui } from "../../src/terminal/ui.js";
import { startTestSandbox } from "../helpers/sandbox.js";

const READS = /^(get|list|resolve|namespaceExists|waitFor)/;

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

const ui: Ui = {
  interactive: false,
  info() {},
  warn() {},
  async confirm(_m, o) {
    return o?.nonInteractiveAnswer ?? false;
  },
  async spin(_t, work) {
    return work(() => {});
  },
};

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let ctx: StepContext;
const writes: string[] = [];

beforeAll(async () => {
  sb = await startTestSandbox();
  const profile = sandboxCloud(sb.dir);
  const azure: AzureOps = recording(createAzureOps(profile, { clusterPollMs: 100, replication: { initialDelayMs: 50, maxDelayMs: 500, budgetMs: 20_000 } }), writes);
  const { subscriptionId: subscription, resourceGroup, clusterName: cluster } = sb.info;
  let kube: KubeOps | undefined;
  const inputs: InitInputs = {
    subscription, resourceGroup, cluster, identity: "id-steps", identityResourceGroup: resourceGroup, namespace: "app", serviceAccount: "sa-app",
    federatedCredential: "fc-app", roles: [{ role: "Key Vault Secrets User", scope: `/subscriptions/${subscription}/resourceGroups/${resourceGroup}` }],
    testPod: true, testPodName: "aks-wi-test", overwrite: false, allowBroadScope: false,
  };
  const state: InitState = { version: 1, cloud: "sandbox", inputs, steps: {}, outputs: {}, updatedAt: new Date().toISOString() };
  ctx = {
    inputs, state, azure, ui, save: async () => {},
    kube: async () => {
      // The cluster's credential from ARM, as init gets it (the sandbox cluster is not Entra-integrated: no token).
      const src = kube ? undefined : await kubeSource({}, {}, { subscription, resourceGroup, cluster }, async () => azure, async () => "");
      return (kube ??= recording(createKubeOps(src!.yaml, src!.context, { token: src!.token }), writes));
    },
  };
});
afterAll(async () => {
  await sb?.stop();
});

async function run(): Promise<StepPlan[]> {
  const plans: StepPlan[] = [];
  for (const step of STEPS) {
    const plan = await step.plan(ctx);
    plans.push(plan);
    await step.apply(ctx, plan);
  }
  return plans;
}

describe("init steps on the sandbox", () => {
  it("a fresh run converges; a re-run plans none for all seven and writes nothing", async () => {
    const first = await run();
    expect(first.map((p) => p.change)).toEqual(["update", "none", "create", "create", "create", "create", "create"]);
    const o = ctx.state.outputs;
    expect(o.issuerUrl).toMatch(/\/$/);
    expect(o.federatedCredential).toMatchObject({ issuer: o.issuerUrl, subject: "system:serviceaccount:app:sa-app", audiences: ["api://AzureADTokenExchange"] });
    expect(o.roleAssignments).toHaveLength(1);
    expect(o.roleAssignments![0]!.principalId).toBe(o.identity!.principalId);
    expect(o.testPod?.phase).toBe("Running");
    const pod = await (await ctx.kube()).getPod("app", "aks-wi-test");
    expect(pod!.containers.find((c) => !c.init)!.env.AZURE_CLIENT_ID).toBe(o.identity!.clientId);

    const writesAfterFirst = writes.length;
    expect(writesAfterFirst).toBeGreaterThanOrEqual(7);
    const second = await run();
    expect(second.map((p) => p.change)).toEqual(Array(7).fill("none"));
    expect(writes.slice(writesAfterFirst)).toEqual([]);
  });
});
