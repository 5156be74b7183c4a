// A resource changed between the plan and the apply stops the run with nothing written: the
// cluster is tagged by someone else (through the ARM SDK, which gives it a new eTag) after init
// has planned and checked permissions, so init's PUT with If-Match on the plan's eTag is refused.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { createAzureOps } from "../../src/azure/ops.js";
import type { AzureOps, KubeOps } from "../../src/core/ports.js";
import { kubeSource } from "../../src/kube/connect.js";
import { createKubeOps } from "../../src/kube/ops.js";
import { runSteps } from "../../src/init/runner.js";
import type { InitInputs, InitState } from "../../src/init/state.js";
import { STEPS } from "../../src/init/steps/index.js";
import { createUi } from "../../src/terminal/ui.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { writeFingerprint } from "../helpers/init-cli.harness.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

describe("a resource changed since the plan", () => {
  it("the cluster tagged between plan and apply: the update is refused (412), the run stops, nothing else is written", async () => {
    const profile = sandboxCloud(sb.dir);
    const { subscriptionId: subscription, resourceGroup, clusterName: cluster } = sb.info;
    const aks = new ContainerServiceClient(profile.credential(), subscription, profile.clientOptions());
    const real = createAzureOps(profile);
    let tagged = false;
    // The preflight runs after the plan and before the apply: the other writer lands there.
    const azure: AzureOps = {
      ...real,
      async callerPermissions(scope) {
        if (!tagged) {
          tagged = true;
          await (await aks.managedClusters.beginUpdateTags(resourceGroup, cluster, { tags: { owner: "someone-else" } })).pollUntilDone();
        }
        return real.callerPermissions(scope);
      },
    };
    let kube: KubeOps | undefined;
    const inputs: InitInputs = {
      subscription,
      resourceGroup,
      cluster,
      identity: "id-changed",
      identityResourceGroup: resourceGroup,
      namespace: "changed",
      serviceAccount: "sa-changed",
      federatedCredential: "fc-changed",
      roles: [],
      testPod: false,
      testPodName: "aks-wi-test",
      overwrite: false,
      allowBroadScope: false,
    };
    const state: InitState = { version: 1, cloud: "sandbox", inputs, steps: {}, outputs: {}, updatedAt: new Date().toISOString() };
    const ctx = {
      inputs,
      state,
      azure,
      kube: async () => {
        const src = await kubeSource(
          {},
          {},
          { subscription, resourceGroup, cluster },
          async () => real,
          async () => "",
        );
        return (kube ??= createKubeOps(src.yaml, src.context, { token: src.token }));
      },
    };
    const before = { ...JSON.parse(writeFingerprint(sb.dir)) };
    const err = await runSteps({
      steps: STEPS,
      ctx,
      ui: createUi({ interactive: false, stream: new Writable({ write: (_c, _e, cb) => cb() }) }),
      dryRun: false,
      yes: true,
      save: async () => {},
    }).then(
      () => undefined,
      (e: Error & { suggestion?: string }) => e,
    );
    expect(tagged).toBe(true);
    expect(err?.message).toMatch(/cluster aks-sandbox changed since the plan was made/);
    expect(err?.suggestion).toBe("re-run to plan again");
    // Nothing was written: the cluster is as the other writer left it (flags off), no identity,
    // no namespace, no service account.
    const c = await aks.managedClusters.get(resourceGroup, cluster);
    expect(c.tags).toEqual({ owner: "someone-else" });
    expect(c.oidcIssuerProfile?.enabled ?? false).toBe(false);
    expect(c.securityProfile?.workloadIdentity?.enabled ?? false).toBe(false);
    const after = JSON.parse(writeFingerprint(sb.dir));
    expect(after.identities).toEqual(before.identities);
    expect(after.federatedCredentials).toEqual(before.federatedCredentials);
    expect(after.roleAssignments).toEqual(before.roleAssignments);
    expect(await (await ctx.kube()).namespaceExists("changed")).toBe(false);
  });
});
