// The whole `init` command (inputs → lock/state → plan → apply → summary) over fakes of our own
// AzureOps/KubeOps: the state file it leaves, re-runs, dry runs, JSON output, lock contention.
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runInit, type InitDeps } from "../../../src/cli/commands/init.js";
import { CancelledError, UserError } from "../../../src/core/errors.js";
import type { InitOptions } from "../../../src/cli/options.js";
import type { Prompter } from "../../../src/terminal/prompts.js";
import { lockState } from "../../../src/init/state.js";
import { STEPS } from "../../../src/init/steps/index.js";
import type { InitState } from "../../../src/init/state.js";
import { FakeAzure, FakeKube, SUB, VAULT_SCOPE } from "../../helpers/steps-fakes.js";

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

function harness(opts: { tty?: boolean; prompter?: Prompter; env?: NodeJS.ProcessEnv } = {}) {
  const azure = new FakeAzure();
  const kube = new FakeKube();
  const cwd = mkdtempSync(join(tmpdir(), "aks-wi-cmd-"));
  const stdout = new Sink();
  const stderr = new Sink();
  let azureMade = 0;
  const deps: InitDeps = {
    env: opts.env ?? {},
    cwd,
    stdinTty: !!opts.tty,
    stdoutTty: !!opts.tty,
    stdout,
    stderr,
    profile: () => ({ name: "sandbox", subscriptionId: SUB, defaults: { resourceGroup: "rg-sandbox", cluster: "aks-sandbox" } }),
    azure: async () => {
      azureMade++;
      return azure;
    },
    kube: async () => kube,
    prompter: opts.prompter,
    steps: async () => STEPS,
  };
  const writes = () => [...azure.writes, ...kube.writes];
  const statePath = join(cwd, ".aks-wi", "aks-sandbox", "state.json");
  const state = () => JSON.parse(readFileSync(statePath, "utf8")) as InitState;
  return { azure, kube, cwd, stdout, stderr, deps, writes, statePath, state, azureMade: () => azureMade };
}

const base: InitOptions = {
  yes: true,
  identity: "id-app",
  namespace: "app",
  serviceAccount: "sa-app",
  role: ["Key Vault Secrets User"],
  scope: [VAULT_SCOPE],
  output: "text",
};

describe("aks-wi init (command over fakes)", () => {
  it("applies everything, leaves a private per-cluster state file, and a re-run changes nothing", async () => {
    const h = harness();
    expect(await runInit(base, h.deps)).toBe(0);
    expect(statSync(h.statePath).mode & 0o777).toBe(0o600);
    expect(statSync(join(h.statePath, "..")).mode & 0o777).toBe(0o700);
    const s = h.state();
    expect(s.cloud).toBe("sandbox");
    expect(Object.values(s.steps).map((x) => x!.status)).toEqual(Array(8).fill("done"));
    expect(s.inputs).toMatchObject({ subscription: SUB, cluster: "aks-sandbox", identity: "id-app", federatedCredential: "aks-wi-app-sa-app" });
    expect(s.inputs).not.toHaveProperty("overwrite");
    expect(s.outputs.identity?.clientId).toBeTruthy();
    expect(h.stdout.text).toContain("Workload identity is set up.");
    expect(existsSync(`${h.statePath}.lock`)).toBe(false); // released

    const n = h.writes().length;
    h.stdout.text = "";
    // The re-run needs no flags but --yes: the inputs come from the state file.
    expect(await runInit({ yes: true, output: "text" }, h.deps)).toBe(0);
    expect(h.writes().length).toBe(n);
    for (const step of STEPS) expect(h.stdout.text).toContain(`- ${step.title}: no change`);
    expect(h.stdout.text).toContain("Nothing changed: every step was already done.");
  });

  it("--dry-run prints the plan, writes nothing, leaves no state file", async () => {
    const h = harness();
    expect(await runInit({ ...base, dryRun: true }, h.deps)).toBe(0);
    expect(h.writes()).toEqual([]);
    expect(existsSync(join(h.cwd, ".aks-wi"))).toBe(false);
    expect(h.stdout.text).toContain("Plan:");
    expect(h.stdout.text).toContain("Dry run: nothing was changed.");
  });

  it("--output json: stdout is one JSON report, human lines go to stderr", async () => {
    const h = harness();
    expect(await runInit({ ...base, output: "json" }, h.deps)).toBe(0);
    const report = JSON.parse(h.stdout.text);
    expect(report).toMatchObject({
      status: "done",
      cloud: "sandbox",
      statePath: h.statePath,
      deployment: { namespace: "app", serviceAccountName: "sa-app", podTemplateLabels: { "azure.workload.identity/use": "true" } },
    });
    expect(report.steps).toHaveLength(8);
    expect(h.stderr.text).toContain("Plan:");
  });

  it("missing inputs: exit-2 error before any Azure client is made", async () => {
    const h = harness();
    const e = await runInit({ yes: true, output: "text" }, h.deps).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).kind).toBe("usage");
    expect((e as Error).message).toContain("--identity or AKS_WI_IDENTITY");
    expect(h.azureMade()).toBe(0);
    expect(existsSync(join(h.cwd, ".aks-wi"))).toBe(false);
  });

  it("another run holding the state lock: clear error (exit 1), nothing changed", async () => {
    const h = harness();
    const held = await lockState(h.statePath);
    try {
      const e = await runInit(base, h.deps).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).kind).toBe("failed");
      expect((e as Error).message).toContain(`another aks-wi init is running on ${h.statePath} (pid ${process.pid}`);
      expect(h.writes()).toEqual([]);
    } finally {
      await held.release();
    }
  });

  it("a default state file of the other cloud is left alone: this cloud's run keeps its own, keyed by cloud and cluster", async () => {
    const h = harness();
    await runInit(base, h.deps);
    const sandboxState = readFileSync(h.statePath, "utf8");
    const other = {
      ...h.deps,
      profile: () => ({ name: "AzureCloud" as const, subscriptionId: SUB, defaults: { resourceGroup: "rg-sandbox", cluster: "aks-sandbox" } }),
    };
    expect(await runInit(base, other)).toBe(0);
    expect(readFileSync(h.statePath, "utf8")).toBe(sandboxState);
    const keyed = join(h.cwd, ".aks-wi", `aks-sandbox@AzureCloud.${SUB}.rg-sandbox`, "state.json");
    expect(JSON.parse(readFileSync(keyed, "utf8"))).toMatchObject({ cloud: "AzureCloud", inputs: { cluster: "aks-sandbox" } });
  });

  it("a state file of the other cloud named with --state is refused", async () => {
    const h = harness();
    await runInit(base, h.deps);
    const other = {
      ...h.deps,
      profile: () => ({ name: "AzureCloud" as const, subscriptionId: SUB, defaults: { resourceGroup: "rg-sandbox", cluster: "aks-sandbox" } }),
    };
    await expect(runInit({ ...base, state: h.statePath }, other)).rejects.toThrow(/belongs to the sandbox cloud, not AzureCloud/);
  });

  it("in a terminal: answering no to the plan cancels (130) with nothing changed", async () => {
    const asked: string[] = [];
    const prompter: Prompter = {
      input: async () => {
        throw new Error("unexpected input");
      },
      select: async () => {
        throw new Error("unexpected select");
      },
      search: async () => {
        throw new Error("unexpected search");
      },
      confirm: async ({ message }) => (asked.push(message), false),
    };
    const h = harness({ tty: true, prompter });
    const e = await runInit(
      {
        ...base,
        yes: undefined,
        identityResourceGroup: "rg-sandbox",
        federatedCredential: "fc-app",
        testPod: false,
        subscription: SUB,
        resourceGroup: "rg-sandbox",
        cluster: "aks-sandbox",
      },
      h.deps,
    ).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(CancelledError);
    // The first question is the irreversible cluster change; "no" there cancels before anything else.
    expect(asked).toEqual([expect.stringMatching(/^Enable the OIDC issuer and workload identity on aks-sandbox\?/)]);
    expect(h.writes()).toEqual([]);
    expect(existsSync(h.statePath)).toBe(false);
  });
});
