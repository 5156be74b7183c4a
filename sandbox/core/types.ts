// Shared contracts of the sandbox's services. Every service (arm, login, kube, oidc) codes against
// these, above all ServiceContext; change them only with care, since all four sides depend on them.
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { SandboxInfo, ServiceName } from "../info.js";
import type { World } from "./world.js";

export interface SandboxRequest {
  method: string;
  /** Full URL (host = the listener). Path already has a doubled leading slash collapsed. */
  url: URL;
  /** url.pathname, decoded, doubled leading slash collapsed. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  raw: IncomingMessage;
}

export interface SandboxResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON (content-type application/json unless set); strings/Buffers as-is. */
  body?: unknown;
}

export type Handler = (req: SandboxRequest) => Promise<SandboxResponse>;

export interface SandboxService {
  name: ServiceName;
  handle: Handler;
  /** For WebSocket upgrades (pods/exec). */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

/** Timings in milliseconds. `instant` is all zeros (tests); `realistic` is Azure's timings times a factor. */
export interface LatencyProfile {
  name: string;
  /** How long a managedClusters PUT stays InProgress/Updating. */
  clusterUpdateMs: number;
  /** How long a resource provider stays Registering after `providers/{ns}/register`. */
  providerRegistrationMs: number;
  /** How long a preview feature stays Registering after `features/{name}/register`. */
  featureRegistrationMs: number;
  /** How long an identity or federated-credential write takes to answer. */
  identityWriteMs: number;
  /** Window after an identity is created during which FIC writes get 404 ParentResourceNotFound. */
  ficParentNotFoundMs: number;
  /** Window after an identity is created during which role assignments get 400 PrincipalNotFound
   *  (unless principalType ServicePrincipal is sent). */
  principalReplicationMs: number;
  /** How long a role-assignment PUT takes to answer; the assignment is stored at the start of it,
   *  so a client that dies meanwhile leaves an assignment it never saw. */
  roleAssignmentWriteMs: number;
  /** Delay after a federated credential is written before Entra honours it (AADSTS70021 until then). */
  ficPropagationMs: number;
  /** Delay after a role assignment is made before the permissions API shows it to its principal
   *  (Azure: "can take up to 10 minutes to propagate"). */
  rolePropagationMs: number;
  /** How long a pod stays Pending before Running. */
  podStartMs: number;
  /** What every request to a service costs before it is answered: the network's round trip. */
  rttMs: Record<ServiceName, number>;
}

/** Single timings a test (or --rtt) sets over a profile; round trips one service at a time. */
export type LatencyOverrides = Partial<Omit<LatencyProfile, "rttMs">> & { rttMs?: Partial<Record<ServiceName, number>> };

/** Everything a service module needs, handed to its factory by the core. */
export interface ServiceContext {
  info: SandboxInfo;
  world: World;
  latency: LatencyProfile;
  caPem: string;
  /** Entra's token service; ARM and kube use it to verify bearer tokens. */
  tokens: TokenService;
  /** The cluster's service-account token issuer (oidc/issuer.ts); kube mints tokens with it. */
  clusterIssuer: ClusterIssuer;
  /** Now, in ms; tests of timing may replace it. */
  now: () => number;
  /** The contexts of the clusters with a Kubernetes API of their own (kube/cluster-apis.ts), by
   *  lower-cased cluster ID: their info.kubeServer, world (its `kube` and `cluster()` are that
   *  cluster's) and clusterIssuer. A cluster not in it is served by the default API (this context). */
  clusterApis?: Map<string, ServiceContext>;
}

/** Claims of an Entra v1 access token as the sandbox mints them (what ARM and kube check). */
export interface AccessTokenClaims {
  aud: string;
  iss: string;
  tid: string;
  /** Object ID of the principal (managed identity principalId / operator principalId). */
  oid: string;
  sub: string;
  appid: string;
  azp?: string;
  idtyp?: string;
  iat: number;
  nbf: number;
  exp: number;
  ver?: string;
  [k: string]: unknown;
}

export type TokenCheck =
  { ok: true; claims: AccessTokenClaims } | { ok: false; reason: "missing" | "malformed" | "signature" | "expired" | "audience" | "tenant"; message: string };

/** Implemented by login/tokens.ts (Entra's signing key); created by the core and shared through ServiceContext. */
export interface TokenService {
  /** Verifies an `Authorization` header value ("Bearer …") for one of the accepted audiences and,
   *  when given, the expected tenant. Never throws. */
  verifyBearer(authorization: string | undefined, audiences: string[], tenantId?: string): Promise<TokenCheck>;
  /** Mints a signed access token (RS256, kid in header) for a principal. */
  mintAccessToken(p: { tenantId: string; audience: string; clientId: string; principalId: string; lifetimeSeconds?: number }): Promise<string>;
  /** Public signing keys ({ keys: [...] }, each with kid, use "sig", x5t) served by Entra's discovery/keys. */
  jwks(): Promise<{ keys: unknown[] }>;
  /** `iss` of the v1 access tokens this service mints for a tenant: https://sts.windows.net/TENANT/ */
  issuer(tenantId: string): string;
}

/** Implemented by oidc/issuer.ts: the cluster's service-account signing key and token minting. */
export interface ClusterIssuer {
  /** The `iss` of service-account tokens now: the cluster's OIDC issuer URL once enabled (verbatim,
   *  with its trailing slash), else https://kubernetes.default.svc.cluster.local. */
  currentIssuer(): string;
  /** Mints a projected/bound service-account token (RS256, kid), claims as the real kube-apiserver:
   *  iss, sub=system:serviceaccount:NS:SA, aud, exp, iat, nbf, kubernetes.io{namespace, serviceaccount{name,uid}, pod{name,uid}}. */
  mintServiceAccountToken(p: {
    namespace: string;
    serviceAccount: string;
    serviceAccountUid: string;
    audiences: string[];
    expirationSeconds: number;
    pod?: { name: string; uid: string };
  }): Promise<string>;
  /** Public JWKS ({ keys: [...] }) served by the issuer. */
  jwks(): Promise<{ keys: unknown[] }>;
}
