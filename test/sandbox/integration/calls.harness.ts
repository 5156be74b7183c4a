// How the sandbox's integration tests talk to it besides the SDKs: raw HTTPS calls to any of its
// listeners (trusting its CA), tokens minted by its Entra key, an SDK call's expected failure,
// and turning workload identity on as `az aks update` does.
import { request, type Agent } from "node:https";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { operatorOf } from "../../../sandbox/core/seed.js";
import { operatorCredential, type TestSandbox } from "../../helpers/sandbox.js";

/** A token for the operator principal, minted by the sandbox's Entra signing key. */
export async function mintOperatorToken(sb: TestSandbox, opts: { tenantId?: string; audience?: string; lifetimeSeconds?: number } = {}): Promise<string> {
  const op = operatorOf(sb.sandbox.world.state);
  return sb.sandbox.ctx.tokens.mintAccessToken({
    tenantId: opts.tenantId ?? sb.info.tenantId,
    audience: opts.audience ?? sb.info.armAudience,
    clientId: op.clientId,
    principalId: op.principalId,
    lifetimeSeconds: opts.lifetimeSeconds,
  });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json?: any;
}

/** A raw HTTPS call to a sandbox listener (ARM unless `base` names another), trusting its CA;
 *  `path` may start with "//". */
export function rawCall(
  sb: TestSandbox,
  method: string,
  path: string,
  opts: { token?: string; body?: string; contentType?: string; headers?: Record<string, string>; base?: string; agent?: Agent | false } = {},
): Promise<RawResponse> {
  const base = new URL(opts.base ?? sb.info.armEndpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path,
        ca: sandboxCloud(sb.dir).caPem,
        ...(opts.agent !== undefined ? { agent: opts.agent } : {}),
        headers: {
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.body !== undefined
            ? { "content-type": opts.contentType ?? "application/json", "content-length": String(Buffer.byteLength(opts.body)) }
            : {}),
          ...(opts.headers ?? {}),
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** The SDK's RestError of a call expected to fail: its HTTP status and ARM's error code. */
export async function failure(p: Promise<unknown>): Promise<{ statusCode?: number; code?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { statusCode?: number; code?: string; message: string };
  }
  throw new Error("expected the call to fail");
}

/** `az aks update --enable-oidc-issuer --enable-workload-identity`, as the real ARM SDK sends it;
 *  returns the published issuer URL (trailing slash and all). */
export async function enableWorkloadIdentity(sb: TestSandbox): Promise<string> {
  const { ContainerServiceClient } = await import("@azure/arm-containerservice");
  const aks = new ContainerServiceClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
  const current = await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
  const updated = await aks.managedClusters.beginCreateOrUpdateAndWait(
    sb.info.resourceGroup,
    sb.info.clusterName,
    {
      ...current,
      oidcIssuerProfile: { ...current.oidcIssuerProfile, enabled: true },
      securityProfile: { ...current.securityProfile, workloadIdentity: { enabled: true } },
    },
    { updateIntervalInMs: 10 },
  );
  if (updated.provisioningState !== "Succeeded" || !updated.securityProfile?.workloadIdentity?.enabled || !updated.oidcIssuerProfile?.issuerURL) {
    throw new Error(`enabling workload identity left ${JSON.stringify({ state: updated.provisioningState, issuer: updated.oidcIssuerProfile })}`);
  }
  return updated.oidcIssuerProfile.issuerURL;
}
