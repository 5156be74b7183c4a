// Implementation of `aks-wi init`: resolve the inputs (flag → env → state → prompt → default),
// pick the cloud profile, lock and load the state, plan every step, ask, apply, summarize.
// Returns the exit code; never exits itself (errors go to src/cli/main.ts as UserError & co).
import { resolve } from "node:path";
import type { AzureOps, KubeOps, RoleDefinitionListing } from "../../core/ports.js";
import { CLIENT_ID_ANNOTATION } from "../../core/workload-identity.js";
import type { PickSources } from "../../init/inputs.js";
import { planSteps, runSteps } from "../../init/runner.js";
import { buildStatus, formatStatus } from "../../init/status.js";
import { emptyState, lockState, readState, savedInputs, writeStateAtomic, type InitInputs, type InitState, type StateLock } from "../../init/state.js";
import { configWithBinding, writeConfigFile, type BindingToWrite } from "../../config/write.js";
import { buildInitReport, formatSummary } from "../../init/summary.js";
import { keptAnswersPath, openKeptAnswers } from "../../init/kept-answers.js";
import { equivalentCommandLines } from "../equivalent-command.js";
import { EXIT } from "../exit-codes.js";
import { JSON_VERSION } from "../json-output.js";
import type { InitOptions } from "../options.js";
import { openSession, openTerminal, realDeps, resolveCommandInputs, type InitDeps } from "../session.js";
import { isDataOutput, writeData } from "../output.js";
import { statusRows, stepRows } from "../tables.js";

export { nonInteractiveReason } from "../session.js";

export async function run(raw: Record<string, unknown>): Promise<number> {
  return runInit(raw as InitOptions, realDeps());
}

/** `aks-wi status`: the same inputs and the same plan as init, reported as drift; never asks,
 *  locks or writes anything. Exit 0 in sync, 6 on drift. */
export async function runStatus(raw: Record<string, unknown>, deps: InitDeps = realDeps()): Promise<number> {
  return runInit({ ...(raw as InitOptions), status: true }, deps);
}

export type { InitDeps };

export async function runInit(opts: InitOptions, deps: InitDeps): Promise<number> {
  const data = isDataOutput(opts.output);
  // For status, whose report is the output, planning's progress goes to stderr.
  const term = openTerminal(opts, deps, opts.status ? { report: true, neverAsk: "status never asks" } : {});
  const { ui } = term;
  const session = await openSession(opts, deps, ui);
  const { profile, azure, kubeFor } = session;
  // Only a wizard run (init that asks) keeps and offers answers; status never asks.
  const kept = term.interactive && !opts.status ? await openKeptAnswers(keptAnswersPath(deps.env), profile.name, (l) => ui.note(l)) : undefined;
  const {
    inputs,
    statePath,
    state: loaded,
    sources,
  } = await resolveCommandInputs(opts, deps, term, session, term.interactive ? pickSources(azure, kubeFor) : undefined, kept);
  // After a wizard, the same run as one command; also when it fails past its questions.
  const asked = Object.values(sources).includes("prompt");
  const equivalent = () => asked && equivalentCommandLines(opts, inputs).forEach((l) => ui.line(l));

  if (opts.status) {
    const steps = await deps.steps();
    const ctx = {
      inputs,
      state: loaded ?? emptyState(profile.name),
      azure: await azure(),
      kube: () => kubeFor(inputs.subscription, inputs.resourceGroup, inputs.cluster),
    };
    const report = buildStatus(steps, await planSteps(steps, ctx, ui), inputs);
    if (data) await writeData(deps.stdout, opts.output, report, statusRows);
    else for (const l of formatStatus(report)) deps.stdout.write(`${l}\n`);
    return report.inSync ? EXIT.ok : EXIT.drift;
  }

  // Checked before anything changes: a file of another cluster, or one apply would refuse, is a usage error.
  const configPath = opts.writeConfig ? resolve(deps.cwd, opts.writeConfig) : undefined;
  let lock: StateLock | undefined;
  try {
    const configText = configPath ? await configWithBinding(configPath, bindingToWrite(inputs)) : undefined;
    let state: InitState;
    if (opts.dryRun) {
      state = loaded ?? emptyState(profile.name);
    } else {
      lock = await lockState(statePath);
      // Re-read under the lock: another run may have finished since the first read.
      state = (await readState(statePath)) ?? emptyState(profile.name);
    }
    state.inputs = savedInputs(inputs);
    const path = statePath;
    const ctx = {
      inputs,
      state,
      azure: await azure(),
      kube: () => kubeFor(inputs.subscription, inputs.resourceGroup, inputs.cluster),
    };
    const result = await runSteps({
      steps: await deps.steps(),
      ctx,
      ui,
      dryRun: !!opts.dryRun,
      yes: !!opts.yes,
      // A dry run writes nothing, not even the state file.
      save: opts.dryRun ? async () => {} : () => writeStateAtomic(path, state),
    });
    const report = buildInitReport({ result, inputs, outputs: state.outputs, cloud: profile.name, statePath: opts.dryRun ? undefined : path });
    // The CI contract: one versioned document (its failure twin is printed by src/cli/main.ts).
    if (configPath && configText && result.applied) {
      await writeConfigFile(configPath, configText);
      ui.line(`Config: binding ${inputs.namespace}/${inputs.serviceAccount} written to ${configPath} (aks-wi apply -f ${opts.writeConfig})`);
    }
    if (data) await writeData(deps.stdout, opts.output, { version: JSON_VERSION, result: report.status, ...report }, stepRows);
    else if (result.applied) for (const l of formatSummary(report, result.outcomes)) ui.line(l);
    equivalent();
    // Done: the state file holds these inputs now; a dry run changed nothing, so its answers stay on offer.
    if (!opts.dryRun) await kept?.clear();
    return EXIT.ok;
  } catch (e) {
    equivalent();
    throw e;
  } finally {
    await lock?.release().catch(() => {});
  }
}

/** The binding init resolved, as `--write-config` records it. */
function bindingToWrite(i: InitInputs): BindingToWrite {
  return {
    cluster: { subscription: i.subscription, resourceGroup: i.resourceGroup, name: i.cluster },
    namespace: i.namespace,
    serviceAccount: i.serviceAccount,
    identity: {
      name: i.identity,
      resourceGroup: i.identityResourceGroup,
      subscription: i.identitySubscription,
      location: i.identityLocation,
      tags: i.tags,
    },
    federatedCredential: i.federatedCredential,
    roles: i.roles,
    testPod: i.testPod,
    workloads: i.workloads,
  };
}

/** Live pick-lists for the prompts, through our own Azure/Kubernetes operations. */
function pickSources(azure: () => Promise<AzureOps>, kubeFor: (s: string, rg: string, c: string) => Promise<KubeOps>): PickSources {
  const roleLists = new Map<string, Promise<RoleDefinitionListing[]>>();
  return {
    async subscriptions() {
      return (await (await azure()).listSubscriptions()).map((s) => ({ name: `${s.name} (${s.id})`, value: s.id }));
    },
    async resourceGroups(sub) {
      return (await (await azure()).listResourceGroups(sub)).map((g) => ({ name: `${g.name} (${g.location})`, value: g.name }));
    },
    async clusters(sub, rg) {
      return (await (await azure()).listClusters(sub, rg)).map((c) => ({
        name: `${c.name} (${c.location}; workload identity ${c.workloadIdentityEnabled ? "on" : "off"})`,
        value: c.name,
      }));
    },
    async identities(sub, rg) {
      return (await (await azure()).listIdentities(sub, rg)).map((i) => ({ name: `${i.name} (client ID ${i.clientId})`, value: i.name }));
    },
    roleDefinitions(sub) {
      // Listed once per subscription however many roles are added (hundreds on Azure); a failure is not kept.
      let defs = roleLists.get(sub);
      if (!defs) {
        defs = azure().then((a) => (a.listRoleDefinitions ? a.listRoleDefinitions(`/subscriptions/${sub}`) : []));
        roleLists.set(sub, defs);
        defs.catch(() => roleLists.delete(sub));
      }
      return defs;
    },
    async resources(sub, type) {
      const a = await azure();
      return a.listResources ? a.listResources(sub, type) : [];
    },
    async scopeExists(scope) {
      // The permission check's own read: ARM answers 404 for a scope that does not exist.
      try {
        await (await azure()).callerPermissions(scope);
        return true;
      } catch (e) {
        return (e as { statusCode?: number }).statusCode === 404 ? false : undefined;
      }
    },
    async namespaces(got) {
      const kube = await kubeFor(got.subscription!, got.resourceGroup!, got.cluster!);
      return (await kube.listNamespaces()).map((n) => ({ name: n, value: n }));
    },
    async serviceAccounts(got) {
      const kube = await kubeFor(got.subscription!, got.resourceGroup!, got.cluster!);
      if (!(await kube.namespaceExists(got.namespace!))) return [];
      return (await kube.listServiceAccounts(got.namespace!)).map((sa) => {
        const bound = sa.annotations[CLIENT_ID_ANNOTATION];
        return { name: bound ? `${sa.name} (bound to client ID ${bound})` : sa.name, value: sa.name };
      });
    },
  };
}
