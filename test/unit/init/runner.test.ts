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
import { SUB, VAULT_SCOPE, allWrites, world, type World } from "../../helpers/steps-fakes.js";
import type { RoleRequest } from "../../../src/core/ports.js";

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

function setup(opts: { interactive?: boolean; proceed?: boolean; answers?: boolean[]; roles?: RoleRequest[] } = {}) {
  const w = world({ roles: opts.roles ?? [{ role: "Key Vault Secrets User", scope: VAULT_SCOPE }] });
  const out = new Sink();
  const asked: string[] = [];
  const answers = [...(opts.answers ?? [])];
  const prompter: Prompter = {
    input: async () => {
      throw new Error("no input expected");
    },
    select: async () => {
      throw new Error("no select expected");
    },
    search: async () => {
      throw new Error("no search expected");
    },
    confirm: async ({ message, default: dflt }) => {
      asked.push(`${message} [default ${dflt ? "yes" : "no"}]`);
      return answers.length ? answers.shift()! : (opts.proceed ?? true);
    },
  };
  const ui: CliUi = createUi({ interactive: !!opts.interactive, prompter, stream: out });
  const saves: InitState[] = [];
  const save = async () => void saves.push(structuredClone(w.ctx.state));
  return { w, out, ui, asked, saves, save };
}

const run = (s: ReturnType<typeof setup>, o: { dryRun?: boolean; yes?: boolean } = {}) =>
  runSteps({ steps: STEPS, ctx: s.w.ctx, ui: s.ui, dryRun: !!o.dryRun, yes: !!o.yes, save: s.save });

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: Error) => e,
  );
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
    expect(s.out.text).toContain("6 of 8 steps will make changes.");
    expect(s.out.text).toMatch(/3\. create\s+User-assigned managed identity: create identity id-app in rg-sandbox \(eastus\)/);
    expect(s.out.text).toContain("       name: id-app");
    expect(s.out.text).toContain("Dry run: nothing was changed.");
  });

  it("--yes applies every step, saving pending then done around each; the re-run reports no change everywhere and writes nothing", async () => {
    const s = setup();
    const first = await run(s, { yes: true });
    expect(first.outcomes.map((o) => o.result)).toEqual(["updated", "read", "created", "created", "created", "created", "no change", "created"]);
    expect(Object.values(s.w.ctx.state.steps).map((x) => x!.status)).toEqual(Array(8).fill("done"));
    // Each step is saved as pending before its change and done after it.
    const firstSave = (step: string, status: string) => s.saves.findIndex((x) => (x.steps as any)[step]?.status === status);
    for (const step of ["cluster", "identity", "serviceAccount", "federatedCredential", "roleAssignment", "testPod"]) {
      expect(firstSave(step, "pending"), step).toBeGreaterThanOrEqual(0);
      expect(firstSave(step, "pending"), step).toBeLessThan(firstSave(step, "done"));
    }
    const writes = allWrites(s.w).length;
    expect(writes).toBeGreaterThan(0);

    s.out.text = "";
    const again = await run(s, { yes: true });
    expect(again.outcomes.map((o) => o.result)).toEqual(Array(8).fill("no change"));
    expect(allWrites(s.w).length).toBe(writes);
    for (const step of STEPS) expect(s.out.text).toContain(`- ${step.title}: no change`);
    expect(s.out.text).toContain("Nothing to change.");
  });

  it("asks about the irreversible cluster change first, defaulting to No; 'no' cancels (exit 130) with nothing changed", async () => {
    const s = setup({ interactive: true, proceed: false });
    const e = await rejection(run(s));
    expect(e).toBeInstanceOf(CancelledError);
    expect((e as CancelledError).kind).toBe("cancelled");
    expect(s.asked).toEqual([expect.stringMatching(/Enable the OIDC issuer .* cannot be undone\. \[default no\]$/)]);
    expect(allWrites(s.w)).toEqual([]);
    expect(s.saves).toEqual([]);
  });

  it("asks every question with the plan, before anything changes, then 'Apply this plan?'", async () => {
    const s = setup({ interactive: true, answers: [true, true, true], roles: [{ role: "Owner", scope: `/subscriptions/${SUB}` }] });
    await run(s);
    expect(s.asked).toEqual([
      expect.stringMatching(/cannot be undone\. \[default no\]$/),
      expect.stringMatching(/Assign "Owner" at subscription scope .* whole subscription\. \[default no\]$/),
      "Apply this plan? [default yes]",
    ]);
    expect(s.w.azure.writes[0]).toBe("enableWorkloadIdentity");
  });

  it("a broad grant answered No changes nothing: not the cluster, not the identity", async () => {
    const s = setup({ interactive: true, answers: [true, false], roles: [{ role: "Owner", scope: `/subscriptions/${SUB}` }] });
    const e = await rejection(run(s));
    expect(e).toBeInstanceOf(CancelledError);
    expect(allWrites(s.w)).toEqual([]);
    expect(s.saves).toEqual([]);
  });

  it("with --yes but without --allow-broad-scope, a broad grant stops the run before any change (exit 2)", async () => {
    const s = setup({ roles: [{ role: "Owner", scope: `/subscriptions/${SUB}` }] });
    const e = await rejection(run(s, { yes: true }));
    expect(e.message).toMatch(/grants control of the whole subscription/);
    expect((e as UserError).suggestion).toMatch(/--allow-broad-scope/);
    expect(allWrites(s.w)).toEqual([]);
  });

  it("stops in the plan, before the cluster is touched, when the caller may not grant roles (Contributor)", async () => {
    const s = setup();
    s.w.azure.permissions.set(VAULT_SCOPE.toLowerCase(), [
      { actions: ["*"], notActions: ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/*/Delete"] },
    ]);
    const e = await rejection(run(s, { yes: true }));
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).kind).toBe("denied");
    expect(e.message).toMatch(
      new RegExp(
        `Microsoft\\.Authorization/roleAssignments/write at ${VAULT_SCOPE.replace(/[/.]/g, "\\$&")} \\(granted by "Role Based Access Control Administrator"\\)`,
      ),
    );
    expect((e as UserError).suggestion).toMatch(/nothing was changed.*conditions on role assignments/);
    expect(allWrites(s.w)).toEqual([]);
    expect(s.w.azure.cluster.oidcIssuerEnabled).toBe(false);
  });

  it("stops in the plan when the Kubernetes user may not create service accounts, naming the check", async () => {
    const s = setup();
    s.w.kube.denied.add("create serviceaccounts app");
    const e = await rejection(run(s, { yes: true }));
    expect((e as UserError).kind).toBe("denied");
    expect(e.message).toMatch(/Kubernetes: create serviceaccounts in namespace app \(kubectl auth can-i create serviceaccounts -n app\)/);
    expect(allWrites(s.w)).toEqual([]);
  });

  it("checks permissions once per scope, and not at all for a no-change re-run", async () => {
    const s = setup();
    await run(s, { yes: true });
    const scopes = [...s.w.azure.permissionReads];
    expect(new Set(scopes).size).toBe(scopes.length);
    expect(scopes).toContain(VAULT_SCOPE);
    s.w.azure.permissionReads = [];
    await run(s, { yes: true });
    expect(s.w.azure.permissionReads).toEqual([]);
  });

  it("creates the identity while the cluster update is still running", async () => {
    const s = setup();
    s.w.azure.clusterUpdateMs = 100;
    await run(s, { yes: true });
    const ev = s.w.azure.events;
    expect(ev.indexOf("cluster update accepted")).toBeLessThan(ev.indexOf("identity created"));
    expect(ev.indexOf("identity created")).toBeLessThan(ev.indexOf("cluster update done"));
  });

  it("a cluster changed between plan and apply stops the run with nothing written", async () => {
    const s = setup();
    const real = s.w.azure.getCluster.bind(s.w.azure);
    s.w.azure.getCluster = async (...a) => {
      const c = await real(...a);
      s.w.azure.clusterVersion++; // another change lands right after the plan's read
      return c;
    };
    const e = await rejection(run(s, { yes: true }));
    expect(e.message).toMatch(/cluster aks-sandbox changed since the plan was made/);
    expect((e as UserError).suggestion).toBe("re-run to plan again");
    expect(allWrites(s.w)).toEqual([]);
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
    expect(e.message).toBe("User-assigned managed identity failed: quota exceeded");
    expect((e as StepError).suggestion).toMatch(/re-run aks-wi init/);
    const last = s.saves[s.saves.length - 1]!;
    expect(last.steps.identity).toMatchObject({ status: "failed", message: "User-assigned managed identity failed: quota exceeded" });
    // Work that waits for the identity never started (the namespace, which does not, may have).
    expect(last.steps.serviceAccount?.status).not.toBe("done");
    expect(s.w.kube.writes.filter((x) => x.startsWith("createServiceAccount"))).toEqual([]);
    expect(last.steps.roleAssignment).toBeUndefined();
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
    expect(e.message).toMatch(/^Cluster: OIDC issuer and workload identity failed: cluster "aks-sandbox" not found/);
    expect(allWrites(s.w)).toEqual([]);
  });

  it("summary says what to put in a Deployment; the JSON report carries the same, with no secret", async () => {
    const s = setup();
    const result = await run(s, { yes: true });
    const w: World = s.w;
    const report = buildInitReport({ result, inputs: w.ctx.inputs, outputs: w.ctx.state.outputs, cloud: "sandbox", statePath: "/x/state.json" });
    expect(report.deployment).toEqual({
      namespace: "app",
      serviceAccountName: "sa-app",
      podTemplateLabels: { "azure.workload.identity/use": "true" },
      clientId: w.ctx.state.outputs.identity!.clientId,
    });
    expect(report.steps.map((x) => x.result)).toEqual(["updated", "read", "created", "created", "created", "created", "no change", "created"]);
    expect(report.inputs).not.toHaveProperty("overwrite");
    const text = formatSummary(report, result.outcomes).join("\n");
    expect(text).toMatch(/^          azure.workload.identity\/use: "true"$/m);
    expect(text).toMatch(/^        serviceAccountName: sa-app$/m);
    expect(text).toContain(`identity        id-app (created) clientId ${w.ctx.state.outputs.identity!.clientId}`);
  });
});
