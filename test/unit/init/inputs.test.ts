// Input resolution: flag > env > state > prompt > default, one error listing every missing or
// invalid input (flag and env var named), pick-lists with "create new", validation at the prompt.
import { describe, expect, it } from "vitest";
import { UserError } from "../../../src/core/errors.js";
import { defaultFederatedCredentialName, resolveInputs, type InputFlags, type PickSources, type ResolveRequest } from "../../../src/init/inputs.js";
import type { PickChoice, Prompter } from "../../../src/terminal/prompts.js";
import type { InitInputs, InitState } from "../../../src/init/state.js";

const SUB_FLAG = "11111111-1111-1111-1111-111111111111";
const SUB_ENV = "22222222-2222-2222-2222-222222222222";
const SUB_STATE = "33333333-3333-3333-3333-333333333333";
const SUB_PROFILE = "44444444-4444-4444-4444-444444444444";
const VAULT = `/subscriptions/${SUB_FLAG}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv`;

type Answer = { kind: "input" | "select" | "confirm" | "search"; answer: unknown };

/** Answers prompts from a script; records each question and checks validators like inquirer does (re-asking on a reason). */
class ScriptedPrompter implements Prompter {
  asked: { kind: string; message: string; choices?: string[]; default?: unknown; defaultName?: string }[] = [];
  rejections: string[] = [];
  constructor(private script: Answer[]) {}
  private next(kind: Answer["kind"], message: string) {
    const a = this.script.shift();
    if (!a) throw new Error(`unexpected ${kind} prompt: ${message}`);
    if (a.kind !== kind) throw new Error(`expected a ${a.kind} prompt, got ${kind}: ${message}`);
    return a.answer;
  }
  async input(o: { message: string; default?: string; validate?: (v: string) => string | undefined }) {
    this.asked.push({ kind: "input", message: o.message, default: o.default });
    for (;;) {
      const v = (this.next("input", o.message) as string) || o.default || "";
      const reason = o.validate?.(v);
      if (!reason) return v;
      this.rejections.push(reason);
    }
  }
  async select<T>(o: { message: string; choices: PickChoice<T>[]; default?: T }) {
    this.asked.push({
      kind: "select",
      message: o.message,
      choices: o.choices.map((c) => c.name),
      default: o.default,
      defaultName: o.choices.find((c) => c.value === o.default)?.name,
    });
    const a = this.next("select", o.message);
    if (a === "NEW") return o.choices[o.choices.length - 1]!.value;
    if (a === undefined) return o.default as T;
    const c = o.choices.find((x) => x.value === a);
    if (!c) throw new Error(`"${String(a)}" is not among ${o.choices.map((x) => String(x.value)).join(", ")}`);
    return c.value;
  }
  /** A search answer is { term, pick }: the list for `term` must hold an entry named `pick`. */
  async search<T>(o: { message: string; source: (term: string) => PickChoice<T>[] | Promise<PickChoice<T>[]> }) {
    const { term, pick } = this.next("search", o.message) as { term: string; pick: string };
    const choices = await o.source(term);
    this.asked.push({ kind: "search", message: o.message, choices: choices.map((c) => c.name) });
    const c = choices.find((x) => x.name === pick);
    if (!c) throw new Error(`"${pick}" is not among ${choices.map((x) => x.name).join(", ")} for "${term}"`);
    return c.value;
  }
  async confirm(o: { message: string; default?: boolean }) {
    this.asked.push({ kind: "confirm", message: o.message, default: o.default });
    return (this.next("confirm", o.message) as boolean | undefined) ?? o.default!; // undefined: Enter
  }
}

const fullFlags: InputFlags = {
  subscription: SUB_FLAG,
  resourceGroup: "rg-flag",
  cluster: "aks-flag",
  identity: "id-flag",
  namespace: "ns-flag",
  serviceAccount: "sa-flag",
  role: ["Key Vault Secrets User"],
  scope: [VAULT],
};

const stateOf = (inputs: Partial<InitInputs>): InitState => ({ version: 1, cloud: "sandbox", inputs, steps: {}, outputs: {}, updatedAt: "" });

/** A request; `saved`: the inputs of a state file named by --state (read before anything else). */
function req(over: Partial<ResolveRequest> = {}, saved?: Partial<InitInputs>): ResolveRequest {
  return {
    options: {},
    env: {},
    interactive: false,
    nonInteractiveReason: "--yes",
    profile: {},
    stateFile: {
      given: saved ? "/work/state.json" : undefined,
      locate: async ({ cluster }) => ({ path: `/work/.aks-wi/${cluster}/state.json` }),
      read: async (path) => (path === "/work/state.json" && saved ? stateOf(saved) : undefined),
    },
    ...over,
  };
}

async function error(p: Promise<unknown>): Promise<UserError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

describe("precedence: flag > env > state > prompt > default", () => {
  // One row per layer combination for the subscription input; the first present layer wins.
  const rows: { name: string; flag?: string; env?: string; state?: string; prompt?: string; def?: string; want: string; source: string }[] = [
    { name: "flag beats all", flag: SUB_FLAG, env: SUB_ENV, state: SUB_STATE, def: SUB_PROFILE, want: SUB_FLAG, source: "flag" },
    { name: "env beats state", env: SUB_ENV, state: SUB_STATE, def: SUB_PROFILE, want: SUB_ENV, source: "env" },
    { name: "state beats default", state: SUB_STATE, def: SUB_PROFILE, want: SUB_STATE, source: "state" },
    { name: "state beats prompt", state: SUB_STATE, prompt: SUB_PROFILE, want: SUB_STATE, source: "state" },
    { name: "prompt beats default", prompt: SUB_ENV, def: SUB_PROFILE, want: SUB_ENV, source: "prompt" },
    { name: "default last", def: SUB_PROFILE, want: SUB_PROFILE, source: "default" },
  ];
  it.each(rows)("$name", async (row) => {
    const { subscription: _s, ...rest } = fullFlags;
    const interactive = row.prompt !== undefined;
    const prompter = new ScriptedPrompter([
      ...(row.state ? [] : [{ kind: "input" as const, answer: row.prompt }]), // subscription (no pick sources: free text)
      { kind: "input", answer: "" }, // identity resource group: accept default
      { kind: "input", answer: "" }, // federated credential: accept default
    ]);
    const r = await resolveInputs(
      req(
        {
          options: { ...rest, subscription: row.flag, testPod: true },
          env: row.env ? { AKS_WI_SUBSCRIPTION: row.env } : {},
          interactive,
          prompter: interactive ? prompter : undefined,
          profile: { subscription: row.def },
        },
        row.state ? { subscription: row.state } : undefined,
      ),
    );
    expect(r.inputs.subscription).toBe(row.want);
    expect(r.sources.subscription).toBe(row.source);
  });

  it("every scalar input reads its own env var", async () => {
    const env: Record<string, string> = {
      AKS_WI_SUBSCRIPTION: SUB_ENV,
      AKS_WI_RESOURCE_GROUP: "rg-e",
      AKS_WI_CLUSTER: "aks-e",
      AKS_WI_IDENTITY_RESOURCE_GROUP: "rg-id-e",
      AKS_WI_IDENTITY_SUBSCRIPTION: SUB_STATE,
      AKS_WI_IDENTITY: "id-e",
      AKS_WI_IDENTITY_LOCATION: "westeurope",
      AKS_WI_TAGS: "costCenter=1234,owner=team-a",
      AKS_WI_NAMESPACE: "ns-e",
      AKS_WI_SERVICE_ACCOUNT: "sa-e",
      AKS_WI_FEDERATED_CREDENTIAL: "fc-e",
      AKS_WI_TEST_POD_NAME: "pod-e",
      AKS_WI_ROLE: "Reader,Key Vault Secrets User",
      AKS_WI_SCOPE: `/subscriptions/${SUB_ENV},${VAULT}`,
      AKS_WI_TEST_POD: "false",
      AKS_WI_TEST_POD_IMAGE: "myacr.azurecr.io/mirror/azurelinux/busybox:1.36",
      AKS_WI_WORKLOADS: "deployment/web, statefulset/db",
    };
    const r = await resolveInputs(req({ env }));
    expect(r.inputs).toEqual({
      subscription: SUB_ENV,
      resourceGroup: "rg-e",
      cluster: "aks-e",
      identityResourceGroup: "rg-id-e",
      identitySubscription: SUB_STATE,
      identity: "id-e",
      identityLocation: "westeurope",
      tags: { costCenter: "1234", owner: "team-a" },
      namespace: "ns-e",
      serviceAccount: "sa-e",
      federatedCredential: "fc-e",
      testPodName: "pod-e",
      testPod: false,
      overwrite: false,
      allowBroadScope: false,
      // Roles named (here by env) are the whole desired set.
      prune: true,
      testPodImage: "myacr.azurecr.io/mirror/azurelinux/busybox:1.36",
      roles: [
        { role: "Reader", scope: `/subscriptions/${SUB_ENV}` },
        { role: "Key Vault Secrets User", scope: VAULT },
      ],
      workloads: ["deployment/web", "statefulset/db"],
    });
    expect(new Set(Object.values(r.sources))).toEqual(new Set(["env"]));
  });

  it("--workload is repeatable and wins over AKS_WI_WORKLOADS; a bad one is refused naming where it came from", async () => {
    const env = { AKS_WI_WORKLOADS: "deployment/from-env" };
    const r = await resolveInputs(req({ env, options: { ...fullFlags, workload: ["deployment/web", "daemonset/agent", "deployment/web"] } }));
    expect(r.inputs.workloads).toEqual(["deployment/web", "daemonset/agent"]);
    expect(r.sources.workloads).toBe("flag");
    expect((await resolveInputs(req({ env, options: fullFlags }))).inputs.workloads).toEqual(["deployment/from-env"]);
    expect((await resolveInputs(req({ options: fullFlags }))).inputs.workloads).toEqual([]);
    const saved = await resolveInputs(req({ options: fullFlags }, { workloads: ["cronjob/nightly"] }));
    expect(saved.inputs.workloads).toEqual(["cronjob/nightly"]);
    const err = await resolveInputs(req({ options: fullFlags, env: { AKS_WI_WORKLOADS: "web" } })).catch((e) => e);
    expect(err.kind).toBe("usage");
    expect(err.message).toMatch(/AKS_WI_WORKLOADS "web": workload must be KIND\/NAME/);
  });

  it("--test-pod-image wins over AKS_WI_TEST_POD_IMAGE, and an image that is no reference is refused naming where it came from", async () => {
    const r = await resolveInputs(
      req({
        options: { ...fullFlags, testPodImage: "registry.example:5000/mirror/busybox:1.36@sha256:" + "a".repeat(64) },
        env: { AKS_WI_TEST_POD_IMAGE: "other.example/busybox:1" },
      }),
    );
    expect(r.inputs.testPodImage).toBe("registry.example:5000/mirror/busybox:1.36@sha256:" + "a".repeat(64));
    expect(r.sources.testPodImage).toBe("flag");
    const bad = await resolveInputs(req({ env: { AKS_WI_TEST_POD_IMAGE: "Busy Box:latest" } })).catch((e) => e);
    expect(bad.message).toMatch(/AKS_WI_TEST_POD_IMAGE "Busy Box:latest": image must be a reference/);
  });

  it("identity options: --tags repeatable (flag over env, saved in the state), the identity's subscription defaulting to the cluster's", async () => {
    const r = await resolveInputs(
      req({ options: { ...fullFlags, tags: ["costCenter=cc-42", "note=a=b", "empty="], identityLocation: "westeurope" }, env: { AKS_WI_TAGS: "x=y" } }),
    );
    expect(r.inputs).toMatchObject({ tags: { costCenter: "cc-42", note: "a=b", empty: "" }, identityLocation: "westeurope", identitySubscription: SUB_FLAG });
    expect(r.sources).toMatchObject({ tags: "flag", identityLocation: "flag", identitySubscription: "default" });
    const again = await resolveInputs(req({ options: fullFlags }, { ...fullFlags, roles: [], tags: { costCenter: "cc-42" }, identityLocation: "westeurope" }));
    expect(again.inputs).toMatchObject({ tags: { costCenter: "cc-42" }, identityLocation: "westeurope" });
    expect(again.sources).toMatchObject({ tags: "state", identityLocation: "state" });
    const none = await resolveInputs(req({ options: fullFlags }));
    expect(none.inputs.tags).toEqual({});
    expect(none.inputs.identityLocation).toBeUndefined();
  });

  it("identity options: a bad tag, location or subscription is a usage error naming where it came from", async () => {
    const bad = await resolveInputs(
      req({
        options: { ...fullFlags, tags: ["managed-by=me", "novalue", "a/b=1", "Dup=1", "dup=2"], identityLocation: "West Europe", identitySubscription: "nope" },
      }),
    ).catch((e) => e);
    expect(bad.kind).toBe("usage");
    expect(bad.message).toMatch(/--tags "managed-by=me": managed-by is aks-wi's own tag/);
    expect(bad.message).toMatch(/--tags "novalue": a tag is KEY=VALUE/);
    expect(bad.message).toMatch(/--tags "a\/b=1": a tag name cannot contain/);
    expect(bad.message).toMatch(/--tags "dup=2": tag dup is given twice/);
    expect(bad.message).toMatch(/--identity-location "West Europe": location must be a region's short name/);
    expect(bad.message).toMatch(/--identity-subscription "nope": /);
    const env = await resolveInputs(req({ options: fullFlags, env: { AKS_WI_TAGS: "=x" } })).catch((e) => e);
    expect(env.message).toMatch(/AKS_WI_TAGS "=x": a tag needs a name/);
  });

  it("defaults: namespace, identity resource group, derived credential name, test pod", async () => {
    const { namespace: _n, ...rest } = fullFlags;
    const r = await resolveInputs(req({ options: rest }));
    expect(r.inputs).toMatchObject({
      namespace: "default",
      identityResourceGroup: "rg-flag",
      federatedCredential: "aks-wi-default-sa-flag",
      testPod: true,
      testPodName: "aks-wi-test",
      testPodImage: "mcr.microsoft.com/azurelinux/busybox:1.36",
    });
    expect(r.sources).toMatchObject({ namespace: "default", identityResourceGroup: "default", federatedCredential: "default", testPod: "default" });
  });

  it("the sandbox profile's seeded names fill subscription, resource group and cluster", async () => {
    const r = await resolveInputs(
      req({
        options: { identity: "id-app", serviceAccount: "sa-app" },
        profile: { subscription: SUB_PROFILE, resourceGroup: "rg-sandbox", cluster: "aks-sandbox" },
      }),
    );
    expect(r.inputs).toMatchObject({
      subscription: SUB_PROFILE,
      resourceGroup: "rg-sandbox",
      cluster: "aks-sandbox",
      identityResourceGroup: "rg-sandbox",
      roles: [],
      // Roles that only defaulted to none never prune what aks-wi assigned before.
      prune: false,
    });
  });

  it("state supplies roles and the test pod choice; flags override them", async () => {
    const saved = { identity: "id-s", serviceAccount: "sa-s", roles: [{ role: "Reader", scope: VAULT }], testPod: false };
    const a = await resolveInputs(req({ options: { subscription: SUB_FLAG, resourceGroup: "rg", cluster: "aks" } }, saved));
    expect(a.inputs).toMatchObject({ identity: "id-s", serviceAccount: "sa-s", roles: [{ role: "Reader", scope: VAULT }], testPod: false });
    const b = await resolveInputs(req({ options: { ...fullFlags, testPod: true } }, saved));
    expect(b.inputs).toMatchObject({ identity: "id-flag", roles: [{ role: "Key Vault Secrets User", scope: VAULT }], testPod: true });
  });

  it("refuses flags naming another workload than the state file's, instead of reusing its roles", async () => {
    const saved = { identity: "id-s", namespace: "ns-s", serviceAccount: "sa-s", federatedCredential: "fc-s", roles: [{ role: "Reader", scope: VAULT }] };
    const base = { subscription: SUB_FLAG, resourceGroup: "rg", cluster: "aks" };
    for (const other of [{ namespace: "ns-other" }, { serviceAccount: "sa-other" }]) {
      const e = await error(resolveInputs(req({ options: { ...base, ...other } }, saved)));
      expect(e.kind).toBe("usage");
      expect(e.message).toMatch(/^the state file holds the setup of service account ns-s\/sa-s, not ns-(s|other)\/sa-(s|other)$/);
      expect(e.suggestion).toContain("--state .aks-wi/aks/");
    }
    // The same workload (by flag or env) resumes from the state as before.
    const same = await resolveInputs(req({ options: base, env: { AKS_WI_NAMESPACE: "ns-s", AKS_WI_SERVICE_ACCOUNT: "sa-s" } }, saved));
    expect(same.inputs).toMatchObject({ federatedCredential: "fc-s", roles: [{ role: "Reader", scope: VAULT }] });
  });

  it("refuses flags naming another cluster than the state file's (it would be rewritten to describe it)", async () => {
    const saved = { subscription: SUB_FLAG, resourceGroup: "rg", cluster: "aks", identity: "id-s", namespace: "ns-s", serviceAccount: "sa-s" };
    for (const other of [{ cluster: "aks-2" }, { resourceGroup: "rg-2" }, { subscription: SUB_ENV }]) {
      const e = await error(resolveInputs(req({ options: { ...other } }, saved)));
      expect(e.kind).toBe("usage");
      expect(e.message).toMatch(
        /^the state file holds the setup on cluster aks in resource group rg( of subscription \S+)?, not cluster (aks|aks-2) in resource group (rg|rg-2)/,
      );
      // Only a subscription that differs is named, on both sides.
      if (other.subscription) expect(e.message).toContain(`of subscription ${SUB_FLAG}, not cluster aks in resource group rg of subscription ${SUB_ENV}`);
      expect(e.suggestion).toMatch(/nothing was changed$/);
    }
    // Case differences are the same Azure resource.
    const same = await resolveInputs(req({ options: { cluster: "AKS", resourceGroup: "RG" } }, saved));
    expect(same.inputs.identity).toBe("id-s");
  });

  it("reads the per-cluster state once, once the cluster is known", async () => {
    const calls: string[] = [];
    const r = await resolveInputs(
      req({
        options: { subscription: SUB_FLAG, resourceGroup: "rg", cluster: "aks-x" },
        stateFile: {
          locate: async (t) => {
            calls.push(`${t.subscription}/${t.resourceGroup}/${t.cluster}`);
            return { path: `/work/.aks-wi/${t.cluster}/state.json`, state: stateOf({ identity: "id-from-state", serviceAccount: "sa-from-state" }) };
          },
          read: async () => {
            throw new Error("only --state is read by path");
          },
        },
      }),
    );
    expect(calls).toEqual([`${SUB_FLAG}/rg/aks-x`]);
    expect(r.inputs.identity).toBe("id-from-state");
    expect(r.sources.identity).toBe("state");
    expect(r.statePath).toBe("/work/.aks-wi/aks-x/state.json");
  });

  it("--state is read before anything else, so it supplies the cluster too", async () => {
    const calls: string[] = [];
    const r = await resolveInputs(
      req({
        options: { identity: "id-x", serviceAccount: "sa-x" },
        stateFile: {
          given: "/work/mine.json",
          locate: () => {
            throw new Error("the default path is not used with --state");
          },
          read: async (path) => {
            calls.push(path);
            return stateOf({ subscription: SUB_STATE, resourceGroup: "rg-s", cluster: "aks-s" });
          },
        },
      }),
    );
    expect(calls).toEqual(["/work/mine.json"]);
    expect(r.inputs).toMatchObject({ subscription: SUB_STATE, resourceGroup: "rg-s", cluster: "aks-s" });
    expect(r.statePath).toBe("/work/mine.json");
  });

  it("--overwrite and --allow-broad-scope come from flags only", async () => {
    const r = await resolveInputs(req({ options: { ...fullFlags, overwrite: true } }, { overwrite: false, allowBroadScope: true } as Partial<InitInputs>));
    expect(r.inputs.overwrite).toBe(true);
    expect(r.inputs.allowBroadScope).toBe(false);
  });
});

describe("non-interactive: one error for everything missing or invalid", () => {
  it("names every missing input with its flag and env var, exit 2", async () => {
    const e = await error(resolveInputs(req({ options: { namespace: "app" } })));
    expect(e.kind).toBe("usage");
    for (const names of [
      "--subscription or AKS_WI_SUBSCRIPTION",
      "--resource-group or AKS_WI_RESOURCE_GROUP",
      "--cluster or AKS_WI_CLUSTER",
      "--identity or AKS_WI_IDENTITY",
      "--service-account or AKS_WI_SERVICE_ACCOUNT",
    ]) {
      expect(e.message).toContain(names);
    }
    // Inputs with a default (even a derived one) are not reported missing.
    expect(e.message).not.toContain("--namespace");
    expect(e.message).not.toContain("--identity-resource-group");
    expect(e.message).not.toContain("--federated-credential");
    expect(e.message).toContain("not asking: --yes");
  });

  it("reports invalid flags, env vars and role/scope pairing together with the missing ones", async () => {
    const e = await error(
      resolveInputs(
        req({
          options: { identity: "-bad_", role: ["Reader", "Owner"], scope: ["kv"] },
          env: { AKS_WI_NAMESPACE: "Bad_NS", AKS_WI_TEST_POD: "maybe" },
        }),
      ),
    );
    expect(e.kind).toBe("usage");
    expect(e.message).toMatch(/--identity "-bad_": identity name must start with a letter or digit/);
    expect(e.message).toMatch(/AKS_WI_NAMESPACE "Bad_NS": namespace must be/);
    expect(e.message).toMatch(/--role and --scope pair up in order: got 2 role\(s\) and 1 scope\(s\)/);
    expect(e.message).toMatch(/AKS_WI_TEST_POD "maybe"/);
    expect(e.message).toContain("--subscription or AKS_WI_SUBSCRIPTION");
  });

  it("rejects a malformed scope and names the flag", async () => {
    const e = await error(resolveInputs(req({ options: { ...fullFlags, role: ["Reader"], scope: ["/subscriptions/abc"] } })));
    expect(e.message).toMatch(/--scope "\/subscriptions\/abc": scope's subscription "abc" is not a subscription ID/);
  });
});

describe("interactive", () => {
  const sources: PickSources = {
    subscriptions: async () => [
      { name: "sub one", value: SUB_FLAG },
      { name: "sub two", value: SUB_ENV },
    ],
    resourceGroups: async () => [
      { name: "rg-a (eastus)", value: "rg-a" },
      { name: "rg-b (westus)", value: "rg-b" },
    ],
    clusters: async (_s, rg) => [{ name: `aks-in-${rg}`, value: `aks-in-${rg}` }],
    identities: async () => [{ name: "id-existing", value: "id-existing" }],
    namespaces: async () => [
      { name: "default", value: "default" },
      { name: "app", value: "app" },
    ],
    serviceAccounts: async () => {
      throw new Error("forbidden");
    },
  };

  it("offers live pick-lists, 'create new', and re-asks a bad name with the reason", async () => {
    const p = new ScriptedPrompter([
      { kind: "select", answer: SUB_ENV },
      { kind: "select", answer: "rg-b" },
      // cluster: the only one in rg-b, taken with a line saying so
      { kind: "select", answer: undefined }, // identity resource group: the default (cluster's)
      { kind: "select", answer: "NEW" }, // identity: create new…
      { kind: "input", answer: "-bad_" }, // …rejected with the reason…
      { kind: "input", answer: "id-new" }, // …then accepted
      { kind: "select", answer: "app" },
      { kind: "input", answer: "sa-app" }, // service accounts could not be listed: free text
      { kind: "input", answer: "" }, // federated credential: default
      { kind: "confirm", answer: true }, // assign a role?
      { kind: "input", answer: "Key Vault Secrets User" }, // no role listing: free text
      { kind: "select", answer: "NEW" }, // scope: the group, the subscription, or another resource ID…
      { kind: "input", answer: "not-a-scope" },
      { kind: "input", answer: VAULT },
      { kind: "confirm", answer: false }, // another?
      { kind: "confirm", answer: true }, // test pod
    ]);
    const notes: string[] = [];
    const r = await resolveInputs(
      req({ interactive: true, prompter: p, sources, nonInteractiveReason: undefined, profile: { subscription: SUB_FLAG }, note: (l) => notes.push(l) }),
    );
    expect(notes).toEqual(["AKS cluster: aks-in-rg-b, the only one"]);
    expect(p.asked.some((x) => /AKS cluster/.test(x.message))).toBe(false);
    expect(r.inputs).toMatchObject({
      subscription: SUB_ENV,
      resourceGroup: "rg-b",
      cluster: "aks-in-rg-b",
      identityResourceGroup: "rg-b",
      identity: "id-new",
      namespace: "app",
      serviceAccount: "sa-app",
      federatedCredential: "aks-wi-app-sa-app",
      testPod: true,
      roles: [{ role: "Key Vault Secrets User", scope: VAULT }],
    });
    expect(p.rejections).toEqual(["identity name must start with a letter or digit", expect.stringMatching(/scope must be a full resource ID/)]);
    const subAsk = p.asked[0]!;
    expect(subAsk.choices).toEqual(["sub one", "sub two"]);
    expect(subAsk.default).toBe(SUB_FLAG); // the profile's subscription is preselected
    expect(p.asked[3]!.choices).toEqual(["id-existing", "+ create a new identity"]);
    // No identity named anywhere: Enter on the untouched list creates one rather than taking id-existing.
    expect(p.asked[3]!.defaultName).toBe("+ create a new identity");
    expect(p.asked.find((x) => x.kind === "select" && /namespace/i.test(x.message))!.defaultName).toBe("default"); // a known default stays preselected
    expect(p.asked[2]!.default).toBe("rg-b");
  });

  it("answers kept from an unfinished run are the prompts' defaults, below flags; each answer is kept as given", async () => {
    const kept = {
      answers: { identity: "id-kept", namespace: "Bad_NS", federatedCredential: "fc-kept", roles: [{ role: "AcrPull", scope: VAULT }], testPod: false },
      saved: [] as unknown[],
      keep: async (a: unknown) => void kept.saved.push(a),
    };
    const p = new ScriptedPrompter([
      { kind: "select", answer: undefined }, // identity resource group
      { kind: "select", answer: "NEW" }, // identity: create new, its name defaulting to the kept one
      { kind: "input", answer: "" },
      { kind: "select", answer: undefined }, // namespace: the kept one is invalid, so the built-in default
      { kind: "input", answer: "sa-typed" }, // service account (not listable): free text
      { kind: "input", answer: "" }, // federated credential: the kept name
      { kind: "confirm", answer: true }, // the kept roles, offered whole
      { kind: "confirm", answer: undefined }, // test pod: the kept "no"
    ]);
    const { identity: _i, namespace: _n, serviceAccount: _s, role: _r, scope: _sc, ...flags } = fullFlags;
    const r = await resolveInputs(
      req({ interactive: true, prompter: p, sources, nonInteractiveReason: undefined, options: { ...flags, resourceGroup: "rg-a" }, kept }),
    );
    expect(r.inputs).toMatchObject({ identity: "id-kept", namespace: "default", serviceAccount: "sa-typed", federatedCredential: "fc-kept", testPod: false });
    expect(r.inputs.roles).toEqual([{ role: "AcrPull", scope: VAULT }]);
    expect(p.asked.find((x) => /Name of the new managed identity/.test(x.message))!.default).toBe("id-kept");
    expect(p.asked.find((x) => /role\(s\) you chose last time: AcrPull at/.test(x.message))).toBeDefined();
    // Flags are not asked and not kept; each answer is kept as soon as it is given.
    // The identity's group only took its derived default (the cluster's): derived again next time, not kept.
    expect(kept.saved[kept.saved.length - 1]).toStrictEqual({
      identity: "id-kept",
      namespace: "default",
      serviceAccount: "sa-typed",
      federatedCredential: "fc-kept",
      roles: [{ role: "AcrPull", scope: VAULT }],
      testPod: false,
    });
    expect(kept.saved).toHaveLength(6);
  });

  it("a bad flag fails before any question is asked", async () => {
    const p = new ScriptedPrompter([]);
    const e = await error(resolveInputs(req({ interactive: true, prompter: p, sources, options: { cluster: "-x" } })));
    expect(e.message).toMatch(/--cluster "-x"/);
    expect(p.asked).toEqual([]);
  });

  it("flags and state are not asked again", async () => {
    const p = new ScriptedPrompter([]);
    const r = await resolveInputs(
      req({ interactive: true, prompter: p, sources, options: { ...fullFlags, identityResourceGroup: "rg-id", federatedCredential: "fc-x", testPod: false } }),
    );
    expect(p.asked).toEqual([]);
    expect(r.inputs.identityResourceGroup).toBe("rg-id");
  });
});

describe("defaultFederatedCredentialName", () => {
  it.each([
    ["default", "sa", "aks-wi-default-sa"],
    ["ns", "sa.with.dots", "aks-wi-ns-sa-with-dots"],
    ["n".repeat(63), "s".repeat(100), `aks-wi-${"n".repeat(63)}-${"s".repeat(49)}`],
  ])("%s/%s → %s", (ns, sa, want) => {
    const name = defaultFederatedCredentialName(ns, sa);
    expect(name).toBe(want);
    expect(name.length).toBeLessThanOrEqual(120);
  });
});
