// Registration of resource providers and preview features in a subscription, which ARM runs as
// a slow state change: "Registering" for a while (the latency profile's providerRegistrationMs /
// featureRegistrationMs), then "Registered" — and the same way back through "Unregistering".
// What nobody has touched keeps its default (the catalogue's: registered or "NotRegistered").
import type { ServiceContext } from "../../../core/types.js";
import type { WorldState } from "../../../core/world.js";
import { key } from "../../../core/world.js";

export type RegistrationState = "NotRegistered" | "Registering" | "Registered" | "Unregistering" | "Unregistered";

/** The untouched state of a provider in a subscription: "NotRegistered" where the subscription
 *  was seeded without it (core/seed-governance.ts), else the catalogue's. */
export function initialRegistration(state: WorldState, subscriptionId: string, namespace: string, catalogue: RegistrationState): RegistrationState {
  const sub = state.subscriptions?.[key(subscriptionId)];
  return sub?.unregisteredProviders.some((n) => key(n) === key(namespace)) ? "NotRegistered" : catalogue;
}

/** Whether ARM forwards requests of a provider in a subscription: only once it is Registered. */
export function providerRegistered(ctx: ServiceContext, subscriptionId: string, namespace: string): boolean {
  const initial = initialRegistration(ctx.world.state, subscriptionId, namespace, "Registered");
  return registrationState(ctx, `/subscriptions/${subscriptionId}/providers/${namespace}`, initial) === "Registered";
}

/** The state of a provider or feature (by its resource ID) now. */
export function registrationState(ctx: ServiceContext, id: string, initial: RegistrationState): RegistrationState {
  const r = ctx.world.state.registrations?.[key(id)];
  if (!r) return initial;
  if (ctx.now() < r.doneAt) return r.state;
  return r.state === "Registering" ? "Registered" : "Unregistered";
}

/** A register (or unregister) request: what its answer says. Asking for the state already reached
 *  or under way changes nothing. */
export function requestRegistration(ctx: ServiceContext, id: string, initial: RegistrationState, register: boolean, takesMs: number): RegistrationState {
  const now = registrationState(ctx, id, initial);
  const [doing, done] = register ? (["Registering", "Registered"] as const) : (["Unregistering", "Unregistered"] as const);
  if (now === doing || now === done || (!register && now === "NotRegistered")) return now;
  (ctx.world.state.registrations ??= {})[key(id)] = { state: doing, doneAt: ctx.now() + takesMs };
  ctx.world.save();
  return doing;
}
