// Turns doctor's one pass (DoctorFacts) into verify's Facts for one workload (pure), so verify's
// checks judge it exactly as `aks-wi verify` would judge that workload alone.
import { isGuid as guidShaped } from "../core/names.js";
import { CLIENT_ID_ANNOTATION } from "../core/workload-identity.js";
import type { IdentityInfo } from "../core/ports.js";
import type { Facts, TransientRead } from "../verify/types.js";
import { sameGuid } from "../verify/util.js";
import { nearKeys } from "./near-keys.js";
import type { DoctorFacts, Workload } from "./types.js";

export const isGuid = (v: string) => guidShaped(v.trim());

/** The client ID the service account names: the annotation's value, else a near-miss key's. */
export function namedClientId(w: Workload): { value?: string; key?: string } {
  const a = w.sa?.annotations ?? {};
  if (a[CLIENT_ID_ANNOTATION] !== undefined) return { value: a[CLIENT_ID_ANNOTATION], key: CLIENT_ID_ANNOTATION };
  const k = nearKeys(a)[0];
  return k ? { value: a[k], key: k } : {};
}

/** The identity a value names: by client ID, or (a common slip) by the identity's name. */
export function identityNamed(identities: IdentityInfo[], value: string): { identity?: IdentityInfo; byName: boolean } {
  const byId = identities.find((i) => sameGuid(i.clientId, value));
  if (byId) return { identity: byId, byName: false };
  const named = identities.filter((i) => i.name.toLowerCase() === value.trim().toLowerCase());
  return named.length === 1 ? { identity: named[0], byName: true } : { byName: false };
}

export function workloadFacts(df: DoctorFacts, w: Workload): Facts {
  const transient: TransientRead[] = [];
  const facts: Facts = {
    target: {
      subscription: df.target.subscription,
      resourceGroup: df.target.resourceGroup,
      cluster: df.target.cluster,
      namespace: w.namespace,
      serviceAccount: w.serviceAccount,
      ...(w.pod ? { pod: w.pod.name } : {}),
      ...(w.deployment ? { deployment: w.deployment.name } : {}),
    },
    now: df.now,
  };
  if (df.cluster) facts.cluster = df.cluster;
  if (df.clusterError) facts.clusterError = df.clusterError;
  if (df.clusterTransient) transient.push("cluster");
  if (df.webhook) facts.webhook = df.webhook;
  if (df.webhook?.transient) transient.push("webhook");
  if (w.sa) facts.serviceAccount = w.sa;
  if (w.sa?.annotatedAt) facts.serviceAccountAnnotatedAt = w.sa.annotatedAt;
  if (w.sa && w.sa.annotations[CLIENT_ID_ANNOTATION] === undefined && df.inventory) {
    // Only the objects running under this service account: others have service accounts of their own.
    const inv = df.inventory;
    facts.annotatedElsewhere = [
      ...inv.deployments
        .filter((d) => d.namespace === w.namespace && d.serviceAccountName === w.serviceAccount)
        .filter((d) => d.annotations[CLIENT_ID_ANNOTATION] !== undefined || d.templateAnnotations[CLIENT_ID_ANNOTATION] !== undefined)
        .map((d) => ({ kind: "deployment", name: d.name })),
      ...inv.pods
        .filter((p) => p.namespace === w.namespace && p.serviceAccountName === w.serviceAccount && p.annotations[CLIENT_ID_ANNOTATION] !== undefined)
        .map((p) => ({ kind: "pod", name: p.name })),
    ];
  }

  const { value } = namedClientId(w);
  if (df.identitiesError) {
    facts.identityError = `the identities of subscription ${df.target.subscription} could not be listed: ${df.identitiesError}`;
    if (df.identitiesTransient) transient.push("identity");
  } else if (value !== undefined) {
    const { identity } = identityNamed(df.identities ?? [], value);
    if (identity) {
      facts.identity = identity;
      facts.identitySource = "annotation";
      const read = df.credentials[identity.id.toLowerCase()];
      if (read?.fics) facts.federatedCredentials = read.fics;
      else {
        // Never read is not "none": say so rather than report a missing credential.
        facts.federatedCredentialsError = read?.error ?? `the federated credentials of ${identity.name} were not read`;
        if (read?.transient) transient.push("federatedCredentials");
      }
    } else {
      facts.identityError = isGuid(value)
        ? `no managed identity with client ID ${value} in subscription ${df.target.subscription}`
        : `"${value}" is not a client ID (a GUID), and no identity of subscription ${df.target.subscription} has that name`;
    }
  }
  if (w.deployment) {
    const d = w.deployment;
    facts.deployment = { name: d.name, labels: d.labels, templateLabels: d.templateLabels, serviceAccountName: d.serviceAccountName };
  }
  if (w.pod) facts.pod = w.pod;
  if (!w.sa && df.inventoryError) {
    facts.serviceAccountError = df.inventoryError;
    if (df.inventoryTransient) transient.push("serviceAccount");
  }
  if (transient.length) facts.transient = transient;
  return facts;
}
