// The subscription as az takes it: an ID, or a name resolved among the principal's subscriptions
// (a fake of our own listing); none named: the profile's default (AZURE_SUBSCRIPTION_ID, az's
// current one), else the only one. Each choice not given by ID says where it came from.
import { describe, expect, it } from "vitest";
import { UserError } from "../../../src/core/errors.js";
import { resolveInputs, type InputFlags, type ResolveRequest } from "../../../src/init/inputs.js";

const DEV = { id: "11111111-1111-1111-1111-111111111111", name: "Contoso Dev" };
const PROD = { id: "22222222-2222-2222-2222-222222222222", name: "Contoso Prod" };
const PROD2 = { id: "33333333-3333-3333-3333-333333333333", name: "contoso prod" };

const flags: InputFlags = { resourceGroup: "rg", cluster: "aks", identity: "id-app", namespace: "app", serviceAccount: "app-sa" };

function req(over: Partial<ResolveRequest>, subs: { id: string; name: string }[], listed: { n: number }, notes: string[]): ResolveRequest {
  return {
    options: flags,
    env: {},
    interactive: false,
    nonInteractiveReason: "--yes",
    profile: {},
    stateFile: { locate: async ({ cluster }) => ({ path: `/w/.aks-wi/${cluster}/state.json` }), read: async () => undefined },
    subscriptions: async () => (listed.n++, subs),
    note: (l) => notes.push(l),
    ...over,
  };
}

async function run(over: Partial<ResolveRequest>, subs = [DEV, PROD]) {
  const listed = { n: 0 };
  const notes: string[] = [];
  try {
    const r = await resolveInputs(req(over, subs, listed, notes));
    return { subscription: r.inputs.subscription, source: r.sources.subscription, notes, listed: listed.n };
  } catch (e) {
    return { error: e as UserError, notes, listed: listed.n };
  }
}

describe("the subscription", () => {
  it("an ID is taken as it is, without listing or a line", async () => {
    expect(await run({ options: { ...flags, subscription: PROD.id } })).toEqual({ subscription: PROD.id, source: "flag", notes: [], listed: 0 });
  });

  it("a unique name (any case) is resolved to its ID, saying so", async () => {
    const r = await run({ options: { ...flags, subscription: "contoso DEV" } });
    expect(r).toEqual({ subscription: DEV.id, source: "flag", notes: [`Subscription: ${DEV.id} (Contoso Dev), named by --subscription`], listed: 1 });
    expect((await run({ env: { AKS_WI_SUBSCRIPTION: "Contoso Dev" }, options: flags })).notes).toEqual([
      `Subscription: ${DEV.id} (Contoso Dev), named by AKS_WI_SUBSCRIPTION`,
    ]);
  });

  it("an ambiguous name is a usage error listing the subscriptions of that name", async () => {
    const r = await run({ options: { ...flags, subscription: "Contoso Prod" } }, [DEV, PROD, PROD2]);
    expect(r.error?.kind).toBe("usage");
    expect(r.error?.message).toContain(
      `--subscription "Contoso Prod": 2 subscriptions are named so, pass one's ID: Contoso Prod (${PROD.id}), contoso prod (${PROD2.id})`,
    );
  });

  it("an unknown name is a usage error listing the choices", async () => {
    const r = await run({ options: { ...flags, subscription: "nope" } });
    expect(r.error?.kind).toBe("usage");
    expect(r.error?.message).toContain(
      `--subscription "nope": subscription must be a subscription ID or the name of one you can use; none is named so (yours: Contoso Dev (${DEV.id}), Contoso Prod (${PROD.id}))`,
    );
  });

  it("a name with another input invalid: that mistake is reported without signing in to look it up", async () => {
    const r = await run({ options: { ...flags, subscription: "Contoso Dev", namespace: "Bad_NS" } });
    expect(r.error?.message).toMatch(/--namespace "Bad_NS"/);
    expect(r.listed).toBe(0);
  });

  it("without a listing, a name is refused as before", async () => {
    const r = await run({ options: { ...flags, subscription: "Contoso Dev" }, subscriptions: undefined });
    expect(r.error?.message).toContain('--subscription "Contoso Dev": subscription must be a subscription ID');
  });

  it("none named: the profile's default, saying where it came from", async () => {
    const r = await run({ profile: { subscription: PROD.id, subscriptionOrigin: "AZURE_SUBSCRIPTION_ID" } });
    expect(r).toEqual({ subscription: PROD.id, source: "default", notes: [`Subscription: ${PROD.id}, from AZURE_SUBSCRIPTION_ID`], listed: 0 });
  });

  it("a default that is not an ID (AZURE_SUBSCRIPTION_ID holds anything) is a usage error naming it", async () => {
    const r = await run({ profile: { subscription: "my-sub", subscriptionOrigin: "AZURE_SUBSCRIPTION_ID" } });
    expect(r.error?.kind).toBe("usage");
    expect(r.error?.message).toContain('AZURE_SUBSCRIPTION_ID "my-sub": subscription must be a subscription ID (a GUID)');
  });

  it("at a terminal the profile's default is only preselected: no line says it was taken", async () => {
    const prompter = {
      input: async (o: { default?: string }) => o.default ?? "",
      select: async <T>(o: { default?: T }) => o.default as T,
      search: async () => {
        throw new Error("no search expected");
      },
      confirm: async () => false,
    };
    const r = await run({ interactive: true, prompter, profile: { subscription: PROD.id, subscriptionOrigin: "AZURE_SUBSCRIPTION_ID" } });
    expect(r).toEqual({ subscription: PROD.id, source: "prompt", notes: [], listed: 0 });
  });

  it("none named and no default: the only subscription, saying so; several: still missing", async () => {
    expect(await run({}, [DEV])).toEqual({
      subscription: DEV.id,
      source: "default",
      notes: [`Subscription: ${DEV.id} (Contoso Dev), the only one you can use`],
      listed: 1,
    });
    const r = await run({}, [DEV, PROD]);
    expect(r.error?.message).toContain("subscription: --subscription or AKS_WI_SUBSCRIPTION");
  });

  it("none named and the cluster not named either: missing, without signing in", async () => {
    const r = await run({ options: { identity: "id-app", namespace: "app", serviceAccount: "app-sa" } }, [DEV]);
    expect(r.error?.message).toContain("subscription: --subscription or AKS_WI_SUBSCRIPTION");
    expect(r.listed).toBe(0);
  });
});
