// doctor's one pass over the outside world: the cluster (ARM), the webhook and every service
// account, pod and Deployment (each kind listed once), the subscription's identities (listed once)
// and the credentials of only those identities a workload names. Nothing here judges; a failed
// read is kept as a fact and the checks name it.
import { UserError } from "../core/errors.js";
import { transientOf } from "../core/retry.js";
import { CLIENT_ID_ANNOTATION } from "../core/workload-identity.js";
import { identityNamed } from "./facts.js";
import { nearKeys } from "./near-keys.js";
import type { DoctorAzure, DoctorKube, Inventory } from "./ports.js";
import type { ClusterTarget, DoctorFacts } from "./types.js";

export interface DoctorGatherDeps {
  azure: DoctorAzure;
  kube(): Promise<DoctorKube>;
  now?(): number;
}

const msg = (e: unknown) => ((e as Error)?.message ?? String(e)).split("\n")[0]!;
/** Credentials are read this many identities at a time: enough to be quick, few enough for ARM's throttling. */
const CREDENTIAL_READS_AT_ONCE = 8;

/** The values the service accounts name an identity by: the annotation's, or a near-miss key's. */
export function namedValues(inv: Inventory): string[] {
  const out = new Set<string>();
  for (const sa of inv.serviceAccounts) {
    const v = sa.annotations[CLIENT_ID_ANNOTATION] ?? nearKeys(sa.annotations).map((k) => sa.annotations[k])[0];
    if (v) out.add(v);
  }
  return [...out];
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

export async function gatherDoctor(target: ClusterTarget, namespace: string | undefined, deps: DoctorGatherDeps): Promise<DoctorFacts> {
  const now = deps.now ?? Date.now;
  const facts: DoctorFacts = { target, now: new Date(now()).toISOString(), credentials: {} };
  if (namespace) facts.namespace = namespace;
  const { azure } = deps;

  const clusterP = azure.getCluster(target.subscription, target.resourceGroup, target.cluster).then(
    (c) => {
      if (c) facts.cluster = c;
      else facts.clusterError = `cluster ${target.cluster} was not found in resource group ${target.resourceGroup}`;
    },
    (e) => {
      facts.clusterError = msg(e);
      if (transientOf(e)) facts.clusterTransient = true;
    },
  );
  const identitiesP = azure.listIdentities(target.subscription).then(
    (ids) => void (facts.identities = ids),
    (e) => {
      facts.identitiesError = msg(e);
      if (transientOf(e)) facts.identitiesTransient = true;
    },
  );
  const kubeP = (async () => {
    let kube: DoctorKube;
    try {
      kube = await deps.kube();
    } catch (e) {
      // A bad --kubeconfig/--context is the caller's input, not a finding (exit 2), as in verify.
      if (e instanceof UserError && !transientOf(e)) throw e;
      facts.inventoryError = `the cluster could not be reached: ${msg(e)}`;
      if (transientOf(e)) facts.inventoryTransient = true;
      facts.webhook = { deploymentFound: false, readyEndpoints: 0, error: msg(e), ...(transientOf(e) ? { transient: true } : {}) };
      return;
    }
    await Promise.all([
      kube.webhook().then((w) => void (facts.webhook = w)),
      kube.inventory(namespace).then(
        (inv) => void (facts.inventory = inv),
        (e) => {
          if (e instanceof UserError && (e as { kind?: string }).kind === "denied") throw e;
          facts.inventoryError = msg(e);
          if (transientOf(e)) facts.inventoryTransient = true;
        },
      ),
    ]);
  })();
  await Promise.all([clusterP, identitiesP, kubeP]);

  if (facts.inventory && facts.identities) {
    // The identities some workload names (by client ID, or by name where a name was put instead).
    const ids = facts.identities;
    const named = [
      ...new Map(
        namedValues(facts.inventory).flatMap((v) => {
          const { identity } = identityNamed(ids, v);
          return identity ? [[identity.id.toLowerCase(), identity] as const] : [];
        }),
      ).values(),
    ];
    await eachLimited(named, CREDENTIAL_READS_AT_ONCE, async (id) => {
      const key = id.id.toLowerCase();
      try {
        facts.credentials[key] = { fics: await azure.listFederatedCredentials(id.id.split("/")[2] ?? target.subscription, id.resourceGroup, id.name) };
      } catch (e) {
        facts.credentials[key] = { error: msg(e), ...(transientOf(e) ? { transient: true } : {}) };
      }
    });
  }
  return facts;
}
