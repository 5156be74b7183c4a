// The runner over the real STEPS and our fakes of AzureOps/KubeOps: plan everything first, print
// it, ask (or --yes / --dry-run), apply, save after every step, "no change" on a re-run.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CancelledError, StepError, UserError } from "../../../src/core/errors.js";
import type { Prompter } from "../../../src/terminal/prompts.js";
import { runSteps } from "../../../src/init/runner.js";
import { buildInitReport, formatSummary } from "../../../src/init/summary.js";
import { createUi, type CliUi } from "../../../src/terminal/ui.js";
import { STEPS } from "../../../src/init/steps/index.js";
import type { InitState } from "../../../src/init/state.js";
import { VAULT_SCOPE, allWrites, world, type World } from "../../helpers/steps-fakes.js";

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

function setup(opts: { interactive?: boolean; proceed?: boolean } = {}) {
  const w = world({ roles: [{ role: "Key Vault Secrets User", scope: VAULT_SCOPE }] });
  const out = new Sink();
  const asked: string[] = [];
  const prompter: Prompter = {
    input: async () => { throw new Error("no input expected"); },
    select: async () => { throw new Error("no select expected"); },
    confirm: async ({ message }) => {
      asked.push(message);
      return opts.proceed ?? true;
    },
  };
  const ui: CliUi = createUi({ interactive: !!opts.interactive, prompter, stream: out });
  w.ctx.ui = ui;
  const saves: InitState[] = [];
  w.ctx.save = async () => void saves.push(structuredClone(w.ctx.state));
  return { w, out, ui, asked, saves };
}

const run = (s: ReturnType<typeof setup>, o: { dryRun?: boolean; yes?: boolean } = {}) =>
  runSteps({ steps: STEPS, ctx: s.w.ctx, ui: s.ui, dryRun: !!o.dryRun, yes: !!o.yes });

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(() => { throw new Error("expected a rejection"); }, (e: Error) => e);
}

describe("runSteps", () => {
  it("--dry-run prints the plan with every step and its values, then stops: no writes, no save", async () => {
    const s = setup();
    const r = await run(s, { dryRun: true });
    expect(r.applied).toBe(false);
    expect(allWrites(s.w)).toEqual([]);
    expect(s.saves).toEqual([]);
    const lines = s.out.text.split("\n");
    expect(lines).toContain("Plan:");
    for (const step of STEPS) expect(s.out.text).toContain(`${step.title}:`);
    expect(s.out.text).toMatch(/1\. update\s+Cluster: OIDC issuer and workload identity: enable OIDC issuer/);
    // Reading the issuer is shown as a read, and not counted among the changes.
    expect(s.out.text).toMatch(/2\. read\s+OIDC issuer URL: read the issuer URL once the OIDC issuer is enabled/);
    expect(s.out.text).toContain("6 of 7 steps will make changes.");
    expect(s.out.text).toMatch(/3\. create\s+User-assigned managed identity: create identity id-app in rg-sandbox \(eastus\)/);
    expect(s.out.text).toContain("       name: id-app");
    expect(s.out.text).toContain("Dry run: nothing was changed.");
  });

  it("--yes applies every step, saving pending then done around each; the re-run reports no change everywhere and writes nothing", async () => {
    const s = setup();
    const first = await run(s, { yes: true });
    expect(first.outcomes.map((o) => o.result)).toEqual(["updated", "read", "created", "created", "created", "created", "created"]);
    expect(Object.values(s.w.ctx.state.steps).map((x) => x!.status)).toEqual(Array(7).fill("done"));
    // Each step is saved as pending before its change and done after it.
    expect(s.saves[0]!.steps.cluster!.status).toBe("pending");
    expect(s.saves[1]!.steps.cluster!.status).toBe("done");
    expect(s.saves.length).toBe(14);
    const writes = allWrites(s.w).length;
    expect(writes).toBeGreaterThan(0);

    s.out.text = "";
    const again = await run(s, { yes: true });
    expect(again.outcomes.map((o) => o.result)).toEqual(Array(7).fill("no change"));
    expect(allWrites(s.w).length).toBe(writes);
    for (const step of STEPS) expect(s.out.text).toContain(`- ${step.title}: no change`);
    expect(s.out.text).toContain("Nothing to change.");
  });

  it("asks before applying in a terminal; 'no' cancels (exit 130) with nothing changed", async () => {
    const s = setup({ interactive: true, proceed: false });
    const e = await rejection(run(s));
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as CancelledError).kind).toBe("cancelled");
    expect(s.asked).toEqual(["Apply this plan?"]);
    expect(allWrites(s.w)).toEqual([]);
    expect(s.saves).toEqual([]);
  });

  it("without a terminal and without --yes, refuses to apply (exit 2) after printing the plan", async () => {
    const s = setup();
    const e = await rejection(run(s));
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).kind).toBe("usage");
    expect(e.message).toMatch(/cannot ask/);
    expect(s.out.text).toContain("Plan:");
    expect(allWrites(s.w)).toEqual([]);
  });

  it("a failing step stops the run with a StepError naming it (exit 1), recorded as failed in the state", async () => {
    const s = setup();
    s.w.azure.createIdentity = async () => {
      throw new Error("quota exceeded\nsecond line");
    };
    const e = await rejection(run(s, { yes: true }));
    expect(e).toBeInstanceOf(StepError);
    expect((e as StepError).kind).toBe("failed");
    expect(e.message).toBe('step "identity" failed: quota exceeded');
    expect((e as StepError).suggestion).toMatch(/re-run aks-wi init/);
    const last = s.saves[s.saves.length - 1]!;
    expect(last.steps.identity).toMatchObject({ status: "failed", message: 'step "identity" failed: quota exceeded' });
    expect(last.steps.serviceAccount).toBeUndefined();
    expect(last.steps.issuer!.status).toBe("done");
  });

  it("a step refused for lack of a permission stays a StepError of kind denied (exit 4)", async () => {
    const s = setup();
    s.w.azure.createIdentity = async () => {
      throw new UserError("creating identity id-app: AuthorizationFailed: no", "ask for a role", "denied");
    };
    const e = await rejection(run(s, { yes: true }));
    expect(e).toBeInstanceOf(StepError);
    expect((e as StepError).kind).toBe("denied");
    expect((e as StepError).suggestion).toBe("ask for a role");
  });

  it("a failure while planning names the step and changes nothing", async () => {
    const s = setup();
    s.w.azure.getCluster = async () => undefined;
    const e = await rejection(run(s, { yes: true }));
    expect(e).toBeInstanceOf(StepError);
    expect(e.message).toMatch(/^step "cluster" failed: cluster "aks-sandbox" not found/);
    expect(allWrites(s.w)).toEqual([]);
  });

  it("summary says what to put in a Deployment; the JSON report carries the same, with no secret", async () => {
    const s = setup();
    const result = await run(s, { yes: true });
    const w: World = s.w;
    const report = buildInitReport({ result, inputs: w.ctx.inputs, outputs: w.ctx.state.outputs, cloud: "sandbox", statePath: "/x/state.json" });
    expect(report.deployment).toEqual({
      namespace: "app", serviceAccountName: "sa-app", podTemplateLabels: { "azure.workload.identity/use": "true" }, clientId: w.ctx.state.outputs.identity!.clientId,
    });
    expect(report.steps.map((x) => x.result)).toEqual(["updated", "read", "created", "created", "created", "created", "created"]);
    expect(report.inputs).not.toHaveProperty("overwrite");
    const text = formatSummary(report, result.outcomes).join("\n");
    expect(text).toMatch(/^          azure.workload.identity\/use: "true"$/m);
    expect(text).toMatch(/^        serviceAccountName: sa-app$/m);
    expect(text).toContain(`identity        id-app (created) clientId ${w.ctx.state.outputs.identity!.clientId}`);
  });
});
