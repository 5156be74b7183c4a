// Fakes of verify's own ports (VerifyAzure, VerifyKube) over the healthy facts of
// verify-fixtures.ts: they record what was exec'd in the pod, each exchange and each permission
// asked, and answer the exchange from a script (success by default).
import type { AzureOps, KubeOps, PodInfo } from "../../src/core/ports.js";
import type { GatherDeps } from "../../src/verify/gather.js";
import type { ExchangeAttempt, VerifyAzure, VerifyKube } from "../../src/verify/ports.js";
import type { IssuerProbe } from "../../src/verify/types.js";
import { CLIENT, healthy, ISSUER, PRINCIPAL, TENANT, VAULT } from "./verify-fixtures.js";

export const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
export const NOW = Date.parse("2026-01-01T12:00:00Z");
export const TOKEN_FILE = "/custom/path/token";
export function jwt(claims: Record<string, unknown>) {
  return `${b64({ alg: "RS256", kid: "k" })}.${b64(claims)}.c2lnbmF0dXJl`;
}
export const TOKEN = jwt({ iss: ISSUER, sub: "system:serviceaccount:ns:sa", aud: ["api://AzureADTokenExchange"], exp: NOW / 1000 + 3600, iat: NOW / 1000 });

export interface World {
  execs: string[][];
  /** TokenRequests asked for: namespace, service account, audience, pod name. */
  tokenRequests: string[][];
  exchanges: { clientId: string; tenantId: string; assertion: string }[];
  answers: ExchangeAttempt[];
  permissionsAsked: string[];
  pod: PodInfo;
  /** What the issuer answers verify's own fetch; the issuers fetched. */
  issuer: IssuerProbe;
  issuersFetched: string[];
}

export function verifyFakes(over: Partial<{ pods: { name: string; phase: string; deleting: boolean }[]; token: string; distroless: boolean }> = {}): {
  deps: GatherDeps & { kube(): Promise<VerifyKube> };
  azure: VerifyAzure;
  kube: VerifyKube;
  w: World;
  sleeps: number[];
  progress: string[];
} {
  const h = healthy();
  const w: World = {
    execs: [],
    tokenRequests: [],
    exchanges: [],
    answers: [],
    permissionsAsked: [],
    pod: h.pod!,
    issuer: { ok: true, keys: 1 },
    issuersFetched: [],
  };
  const ops = {
    getCluster: async () => h.cluster,
    getIdentity: async () => h.identity,
    listIdentities: async () => [h.identity!],
    listFederatedCredentials: async () => h.federatedCredentials!,
    resolveRole: async (_s: string, role: string) => ({
      id: `${VAULT}/providers/Microsoft.Authorization/roleDefinitions/4633458b`,
      name: "4633458b",
      roleName: role,
    }),
    listRoleAssignments: async () => [
      {
        id: "ra1",
        name: "ra1",
        scope: VAULT,
        roleDefinitionId: "/subscriptions/sub/providers/Microsoft.Authorization/roleDefinitions/4633458b",
        principalId: PRINCIPAL,
      },
    ],
  } as unknown as AzureOps;
  const kubeOps = {
    getServiceAccount: async () => h.serviceAccount,
    getPod: async (_ns: string, name: string) => (name === w.pod.name ? w.pod : undefined),
  } as unknown as KubeOps;
  const env = `PATH=/bin\nAZURE_CLIENT_ID=${CLIENT}\nAZURE_TENANT_ID=${TENANT}\nAZURE_FEDERATED_TOKEN_FILE=${TOKEN_FILE}\nAZURE_AUTHORITY_HOST=https://login.example/\nHOME=/root\n`;
  const kube: VerifyKube = {
    ops: kubeOps,
    webhook: async () => h.webhook!,
    deployment: async (_ns, name) => ({ name, labels: {}, templateLabels: { app: "web" }, serviceAccountName: "sa", selector: "app=web" }),
    podsMatching: async () => over.pods ?? [],
    annotationTime: async () => undefined,
    objectsAnnotated: async () => [],
    exec: async (_ns, _pod, _c, command) => {
      w.execs.push(command);
      // what containerd answers for a program the image does not have
      if (over.distroless)
        return {
          stdout: "",
          stderr: "",
          error: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${command[0]}": executable file not found in $PATH: unknown`,
        };
      if (command[0] === "env") return { stdout: env, stderr: "", exitCode: 0 };
      if (command[0] === "cat" && command[1] === TOKEN_FILE) return { stdout: `${over.token ?? TOKEN}\n`, stderr: "", exitCode: 0 };
      return { stdout: "", stderr: "cat: no such file", exitCode: 1 };
    },
    requestToken: async (ns, sa, audience, pod) => {
      w.tokenRequests.push([ns, sa, audience, pod.name]);
      return over.token ?? TOKEN;
    },
  };
  const azure: VerifyAzure = {
    ops,
    async exchange(p, use) {
      w.exchanges.push(p);
      const attempt = w.answers.shift() ?? { ok: true, claims: { oid: PRINCIPAL, appid: CLIENT, tid: TENANT, aud: "https://management.azure.com" } };
      if (!attempt.ok) return { attempt };
      return {
        attempt,
        result: await use({
          permissions: async (scope) => {
            w.permissionsAsked.push(scope);
            return [{ actions: [], notActions: [], dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"], notDataActions: [] }];
          },
        }),
      };
    },
    issuerKeys: async (issuer) => (w.issuersFetched.push(issuer), w.issuer),
    roleDefinition: async (id) => ({
      id,
      roleName: "Key Vault Secrets User",
      actions: [],
      dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"],
    }),
  };
  const sleeps: number[] = [];
  const progress: string[] = [];
  let clock = NOW;
  return {
    w,
    sleeps,
    progress,
    azure,
    kube,
    deps: {
      azure,
      kube: async () => kube,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      progress: (l) => progress.push(l),
      propagation: { budgetMs: 60_000, initialDelayMs: 1_000, recentMs: 300_000 },
    },
  };
}
