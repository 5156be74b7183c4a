// Contracts of `aks-wi verify`: the facts the gatherers collect (plain data, never a token) and the
// findings the pure checks derive from them. The JSON output (docs/verify-json.md) is built from
// these, so changing a field here changes a documented, stable shape.
import type { ClusterInfo, FederatedCredentialInfo, IdentityInfo, PodInfo, ServiceAccountInfo } from "../core/ports.js";

export type CheckName = "cluster" | "serviceAccount" | "identity" | "pod" | "token" | "exchange" | "access";
export const CHECK_ORDER: readonly CheckName[] = ["cluster", "serviceAccount", "identity", "pod", "token", "exchange", "access"];
export const CHECK_TITLES: Record<CheckName, string> = {
  cluster: "cluster",
  serviceAccount: "service account",
  identity: "identity and federated credential",
  pod: "pod",
  token: "token",
  exchange: "exchange",
  access: "access",
};

/** UNKNOWN: the check could not be made because a service answered only transiently (429, 5xx,
 *  a reset) through every retry; nothing broken was seen. */
export type Status = "PASS" | "WARN" | "FAIL" | "SKIP" | "UNKNOWN";

/** Reads that failed only transiently, through every retry: their checks report UNKNOWN, never FAIL. */
export type TransientRead = "cluster" | "webhook" | "serviceAccount" | "identity" | "federatedCredentials" | "pod" | "token" | "access";

/** One line of the report: what was checked, what was found, and what to do. */
export interface Finding {
  check: CheckName;
  /** Stable identifier of the finding (e.g. "issuer-trailing-slash"); tests and scripts match on it. */
  id: string;
  status: Status;
  /** One line: what was found. */
  message: string;
  expected?: string;
  actual?: string;
  /** One line: what to do about it (FAIL and WARN only). */
  fix?: string;
}

/** Where verify looks: resolved from the state file and/or flags. */
export interface VerifyTarget {
  subscription: string;
  resourceGroup: string;
  cluster: string;
  namespace: string;
  serviceAccount: string;
  /** Explicit pod name, or the pod picked from --deployment / the state's test pod. */
  pod?: string;
  deployment?: string;
  /** The identity as recorded by init (absent for workloads init did not set up). */
  identity?: { subscription: string; resourceGroup: string; name: string };
  /** Roles the identity is meant to hold (from the state); absent: every assignment of its principal. */
  roles?: { role: string; scope: string }[];
  /** The credential init wrote (its name), if known. */
  federatedCredentialName?: string;
  /** When init last wrote the federated credential (ISO), if known. */
  federatedCredentialWrittenAt?: string;
  /** When init last created a role assignment (ISO), if known: a younger one may not have propagated. */
  roleAssignedAt?: string;
}

export interface WebhookFacts {
  deploymentFound: boolean;
  replicas?: number;
  readyReplicas?: number;
  /** Ready addresses of the webhook service's Endpoints. */
  readyEndpoints: number;
  /** The webhook's Service as its MutatingWebhookConfiguration names it ("namespace/name"); absent when
   *  no configuration names one (then readiness is the Deployment's). */
  service?: string;
  /** Whether the MutatingWebhookConfiguration was found. */
  configurationFound?: boolean;
  /** When the add-on installed the webhook: a lower bound of when workload identity was enabled. */
  installedAt?: string;
  error?: string;
  /** The reads failed transiently through every retry. */
  transient?: boolean;
}

export interface DeploymentFacts {
  name: string;
  labels: Record<string, string>;
  templateLabels: Record<string, string>;
  serviceAccountName: string;
}

export interface ContainerEnvFacts {
  name: string;
  init: boolean;
  /** Only the AZURE_* variables, as `env` printed them inside the container. */
  env?: Record<string, string>;
  error?: string;
  /** `error` was transient through every retry (the exec handshake). */
  transient?: boolean;
}

/** Claims of the projected service-account token (never the token). */
export interface TokenClaims {
  iss?: string;
  sub?: string;
  aud?: string[];
  exp?: number;
  iat?: number;
}

export interface TokenFacts {
  path?: string;
  claims?: TokenClaims;
  error?: string;
  /** How the token was had: read from the file in a container (its name), or, when no container
   *  of the pod has a program to read it with (distroless images), requested for the pod from the
   *  TokenRequest API with the same service account and audience. */
  via?: { container: string } | { tokenRequest: true; why: string };
}

export interface ExchangeFacts {
  ok: boolean;
  /** Claims of the ARM access token Entra issued (never the token). */
  claims?: { aud?: string; iss?: string; tid?: string; oid?: string; appid?: string; exp?: number };
  /** AADSTS code of the last failure, e.g. 70021. */
  aadsts?: number;
  error?: string;
  errorDescription?: string;
  attempts: number;
  /** Milliseconds spent waiting for the credential to propagate. */
  waitedMs: number;
  /** Exchange was not attempted (no token) */
  skipped?: string;
  /** Entra answered only transiently through every retry. */
  transient?: boolean;
}

export interface RoleAccessFacts {
  role: string;
  roleDefinitionId?: string;
  scope: string;
  /** The role is assigned exactly at (or above) the scope, per ARM. */
  assignedAt?: string[];
  /** Actions / dataActions the role definition grants. */
  roleActions?: string[];
  roleDataActions?: string[];
  /** Effective permissions the workload's own token sees at the scope (permissions API). */
  effective?: { actions: string[]; notActions: string[]; dataActions: string[]; notDataActions: string[] }[];
  error?: string;
  /** `error` was transient through every retry. */
  transient?: boolean;
  /** The operator may not read what the check needs here (403): why, and the check is SKIPped. */
  forbidden?: string;
  /** The assignment is recent and the workload's permissions did not show it within the wait. */
  propagating?: { waitedMs: number; assignedAt: string };
  /** Milliseconds waited for a recent assignment to show in the workload's permissions. */
  waitedMs?: number;
}

/** What the cluster's OIDC issuer answers: its discovery document and the keys it names. */
export interface IssuerProbe {
  ok: boolean;
  /** Number of keys in the JWKS. */
  keys?: number;
  error?: string;
  /** The issuer answered only transiently through every retry. */
  transient?: boolean;
}

export interface AccessFacts {
  roles: RoleAccessFacts[];
  skipped?: string;
  error?: string;
  /** The operator may not list the identity's role assignments (403): why. */
  forbidden?: string;
}

/** Everything the gatherers learned. Every field may be missing when an earlier link broke. */
export interface Facts {
  target: VerifyTarget;
  /** Time of the gathering (ISO), to judge "recent" writes. */
  now: string;
  cluster?: ClusterInfo;
  clusterError?: string;
  webhook?: WebhookFacts;
  serviceAccount?: ServiceAccountInfo;
  serviceAccountError?: string;
  /** When the client-id annotation was last written (managedFields), if the API server says. */
  serviceAccountAnnotatedAt?: string;
  /** Other objects in the namespace that carry the client-id annotation (a misplaced annotation). */
  annotatedElsewhere?: { kind: string; name: string }[];
  identity?: IdentityInfo;
  identityError?: string;
  /** The operator may not list identities where the identity was looked for (403): why. */
  identityForbidden?: string;
  /** How the identity was found ("state" | "annotation"). */
  identitySource?: string;
  federatedCredentials?: FederatedCredentialInfo[];
  federatedCredentialsError?: string;
  deployment?: DeploymentFacts;
  pod?: PodInfo;
  podError?: string;
  /** Why this pod was checked when none was named (the newest running pod of the service account). */
  podChosen?: string;
  /** No pod was named and none runs as the service account: nothing past it can be proven. */
  noPod?: string;
  containerEnv?: ContainerEnvFacts[];
  token?: TokenFacts;
  exchange?: ExchangeFacts;
  access?: AccessFacts;
  /** The issuer as fetched by verify, when Entra said it could not fetch it. */
  issuer?: IssuerProbe;
  /** Reads that failed only transiently (their `…Error` says how). */
  transient?: TransientRead[];
}
