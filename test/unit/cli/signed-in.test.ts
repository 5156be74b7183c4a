// The run says once, in the plan phase, who it acts as (the profile's whoAmI, a fake of our own
// interface here) and which cloud; the state records that cloud; a subscription not given by ID
// says where it came from.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runInit, type InitDeps } from "../../../src/cli/commands/init.js";
import { STEPS } from "../../../src/init/steps/index.js";
import type { InitState } from "../../../src/init/state.js";
import { FakeAzure, FakeKube, SUB } from "../../helpers/steps-fakes.js";

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

function harness(profile: Partial<ReturnType<InitDeps["profile"]>>) {
  const cwd = mkdtempSync(join(tmpdir(), "aks-wi-signed-in-"));
  const stdout = new Sink();
  const azure = new FakeAzure();
  const kube = new FakeKube();
  const deps: InitDeps = {
    env: {},
    cwd,
    stdinTty: false,
    stdoutTty: false,
    stdout,
    stderr: new Sink(),
    profile: () => ({ name: "AzureUSGovernment", defaults: { resourceGroup: "rg-sandbox", cluster: "aks-sandbox" }, ...profile }),
    azure: async () => azure,
    kube: async () => kube,
    steps: async () => STEPS,
  };
  return { deps, stdout, state: () => JSON.parse(readFileSync(join(cwd, ".aks-wi", "aks-sandbox", "state.json"), "utf8")) as InitState };
}

const opts = { yes: true, identity: "id-app", namespace: "app", serviceAccount: "sa-app", output: "text" };

describe("signed in as", () => {
  it("is said once, before the plan, with the cloud and where it came from; the state records the cloud", async () => {
    let asked = 0;
    const h = harness({
      origin: "--cloud",
      subscriptionId: SUB,
      subscriptionOrigin: "AZURE_SUBSCRIPTION_ID",
      whoAmI: async () => (asked++, { who: "alice@contoso.com", tenant: "t-1", via: "AzureCliCredential" }),
    });
    expect(await runInit(opts, h.deps)).toBe(0);
    expect(asked).toBe(1);
    const lines = h.stdout.text.split("\n");
    const at = lines.findIndex((l) => l.includes("Signed in as"));
    expect(lines[at]!.trim()).toBe("Signed in as alice@contoso.com (tenant t-1) via AzureCliCredential in AzureUSGovernment (--cloud)");
    expect(lines.filter((l) => l.includes("Signed in as"))).toHaveLength(1);
    expect(at).toBeLessThan(lines.findIndex((l) => l.startsWith("Plan:")));
    expect(h.stdout.text).toContain(`Subscription: ${SUB}, from AZURE_SUBSCRIPTION_ID`);
    expect(h.state().cloud).toBe("AzureUSGovernment");
  });

  it("a profile that cannot say (a fake without whoAmI) prints no line", async () => {
    const h = harness({ subscriptionId: SUB });
    expect(await runInit(opts, h.deps)).toBe(0);
    expect(h.stdout.text).not.toContain("Signed in as");
  });
});
