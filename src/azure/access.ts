// Proves a workload's access with its own ARM token: Azure's permissions API returns what the
// caller may do at a scope (actions and dataActions), which is the only ARM-visible proof of a
// data-plane role such as Key Vault Secrets User. Also reads role definitions (operator
// credential) so the caller can compare what a role grants with what the token is allowed.
import type { AzureOps } from "../core/ports.js";
import type { ArmAsWorkload, EffectivePermissions, VerifyAzure } from "../verify/ports.js";
import { createClients } from "./clients.js";
import type { CloudProfile } from "./cloud.js";
import { isNotFound, toAzureError } from "./errors.js";
import { markTransient } from "../core/retry.js";
import { httpTransient, httpsJsonRetried, probeIssuer, requestArmToken, type RawRetryOptions } from "./exchange.js";
import { subscriptionOf } from "../core/arm-ids.js";

export const PERMISSIONS_API_VERSION = "2022-04-01";

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** ARM calls bound to one access token (kept in this closure only). */
export function armAsWorkload(profile: Pick<CloudProfile, "armEndpoint" | "caPem">, accessToken: string, retry: RawRetryOptions = {}): ArmAsWorkload {
  return {
    async permissions(scope) {
      const out: EffectivePermissions[] = [];
      let url: string | undefined = `${profile.armEndpoint}${scope}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API_VERSION}`;
      while (url) {
        const res = await httpsJsonRetried(
          "ARM permissions API",
          `permissions at ${scope}`,
          url,
          { method: "GET", headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" }, ca: profile.caPem },
          retry,
        );
        const body = res.json as { value?: unknown[]; nextLink?: string; error?: { code?: string; message?: string } };
        if (res.status !== 200) {
          const err = new Error(`permissions at ${scope}: HTTP ${res.status}${body?.error?.code ? ` ${body.error.code}: ${body.error.message ?? ""}` : ""}`);
          const t = httpTransient(res);
          throw t ? markTransient(err, t.reason) : err;
        }
        for (const p of body.value ?? []) {
          const q = p as Record<string, unknown>;
          out.push({
            actions: strings(q.actions),
            notActions: strings(q.notActions),
            dataActions: strings(q.dataActions),
            notDataActions: strings(q.notDataActions),
          });
        }
        url = body.nextLink;
      }
      return out;
    },
  };
}

export function createVerifyAzure(profile: CloudProfile, ops: AzureOps, retry: RawRetryOptions = {}): VerifyAzure {
  const clients = createClients(profile);
  return {
    ops,
    async exchange(p, use) {
      const { attempt, accessToken } = await requestArmToken(profile, p, retry);
      if (!attempt.ok || !accessToken) return { attempt };
      return { attempt, result: await use(armAsWorkload(profile, accessToken, retry)) };
    },
    issuerKeys: (issuer) => probeIssuer(issuer, profile.caPem, retry),
    async roleDefinition(id) {
      try {
        const d = await clients.authorization(subscriptionOf(id) || profile.subscriptionId || "").roleDefinitions.getById(id);
        return {
          id: d.id ?? id,
          roleName: d.roleName ?? "",
          actions: (d.permissions ?? []).flatMap((p) => p.actions ?? []),
          dataActions: (d.permissions ?? []).flatMap((p) => p.dataActions ?? []),
        };
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw toAzureError(e, `reading role definition ${id}`);
      }
    },
  };
}
