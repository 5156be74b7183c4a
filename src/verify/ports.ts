// What the gatherers need from the outside world, as our own interfaces: src/kube/inspect.ts and
// src/azure/{exchange,access}.ts implement them over the SDKs; unit tests fake them.
import type { AzureOps, KubeOps } from "../core/ports.js";
import type { DeploymentFacts, ExchangeFacts, IssuerProbe, WebhookFacts } from "./types.js";

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** 0 on success; the command's exit code; undefined when the API server sent no Status. */
  exitCode?: number;
  /** The Status message when the exec itself failed (no such executable, container not running). */
  error?: string;
  /** The exec handshake failed transiently (429, 5xx, a reset) through every retry. */
  transient?: boolean;
}

export interface VerifyKube {
  ops: KubeOps;
  webhook(): Promise<WebhookFacts>;
  /** A Deployment with its pod selector (a label-selector string: matchLabels and matchExpressions), or undefined. */
  deployment(namespace: string, name: string): Promise<(DeploymentFacts & { selector: string }) | undefined>;
  /** Pods matching a label selector string (and a field selector, e.g. spec.serviceAccountName=…), newest first. */
  podsMatching(
    namespace: string,
    selector: string,
    fieldSelector?: string,
  ): Promise<{ name: string; phase: string; creationTimestamp?: string; deleting: boolean }[]>;
  /** When `key` was last written on the service account, from its managedFields (undefined if the server does not say). */
  annotationTime(namespace: string, serviceAccount: string, key: string): Promise<string | undefined>;
  /** Pods and Deployments in the namespace that carry annotation `key` (where it has no effect). */
  objectsAnnotated(namespace: string, key: string): Promise<{ kind: string; name: string }[]>;
  exec(namespace: string, pod: string, container: string, command: string[], timeoutMs?: number): Promise<ExecResult>;
  /** A token for the service account from the TokenRequest API, bound to the pod, with the
   *  audience given: what the kubelet projects into the pod's file. Never logged or stored. */
  requestToken(namespace: string, serviceAccount: string, audience: string, pod: { name: string; uid: string }): Promise<string>;
}

/** The outcome of one client-assertion exchange: claims only, never the token. The token itself
 *  stays inside VerifyAzure.exchange, which runs the access probes (`use`) while it is held. */
export interface ExchangeAttempt {
  ok: boolean;
  claims?: ExchangeFacts["claims"];
  aadsts?: number;
  error?: string;
  errorDescription?: string;
  /** Entra answered only transiently (429, 5xx, a transient AADSTS code, no answer) through every retry. */
  transient?: boolean;
}

export interface EffectivePermissions {
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
}

export interface VerifyAzure {
  ops: AzureOps;
  /** Trades the federated token for an ARM token; on success runs `use` with an ARM caller bound
   *  to that token (the token never leaves the implementation). */
  exchange<T>(
    p: { tenantId: string; clientId: string; assertion: string },
    use: (arm: ArmAsWorkload) => Promise<T>,
  ): Promise<{ attempt: ExchangeAttempt; result?: T }>;
  /** Fetches the issuer's discovery document and JWKS as Entra does, to tell an issuer that blipped
   *  from one Entra cannot reach (AADSTS90061 and kin). */
  issuerKeys(issuer: string): Promise<IssuerProbe>;
  /** A role definition's permissions (operator credential). */
  roleDefinition(id: string): Promise<{ id: string; roleName: string; actions: string[]; dataActions: string[] } | undefined>;
}

/** ARM calls made with the workload's own token. */
export interface ArmAsWorkload {
  permissions(scope: string): Promise<EffectivePermissions[]>;
}
