// A config file's binding becomes the inputs init would resolve for it, identity options included.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { bindingInputs } from "../../../src/cli/file-bindings.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const OTHER = "00000000-0000-0000-0000-000000000002";

describe("bindingInputs", () => {
  it("passes a binding's identity subscription, location and tags on; without them the cluster's apply", async () => {
    const cfg = await parseConfig(
      "aks-wi.yaml",
      `apiVersion: aks-wi/v1
kind: WorkloadIdentityConfig
cluster: { resourceGroup: rg-aks, name: aks-prod }
bindings:
  - namespace: a
    serviceAccount: a
    identity: { name: id-a, subscription: ${OTHER}, location: westeurope, tags: { costCenter: cc-1 } }
  - namespace: b
    serviceAccount: b
    identity: { name: id-b }
`,
    );
    const [a, b] = cfg.bindings.map((x) => bindingInputs(cfg, x, SUB, { file: "aks-wi.yaml" }));
    expect(a).toMatchObject({ subscription: SUB, identitySubscription: OTHER, identityLocation: "westeurope", tags: { costCenter: "cc-1" } });
    expect(b).toMatchObject({ subscription: SUB, tags: {} });
    expect(b!.identitySubscription).toBeUndefined();
    expect(b!.identityLocation).toBeUndefined();
  });
});
