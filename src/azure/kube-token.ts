// Kubernetes bearer tokens for Entra-integrated AKS clusters, from the profile's own Azure
// credential (what kubelogin would do), so no exec plugin is needed. A token is kept in memory
// (never logged or stored) until shortly before it expires: every Kubernetes request needs one,
// and some credentials do not cache (AzureCliCredential spawns `az account get-access-token`
// for each call).
import { AKS_AAD_SERVER_APP_ID, type CloudProfile } from "./cloud.js";
import { AzureError, toAzureError } from "./errors.js";

export const AKS_AAD_SCOPE = `${AKS_AAD_SERVER_APP_ID}/.default`;

/** How long before its expiry a cached token is replaced (kubelogin refreshes 5 minutes early too). */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export function aksTokenProvider(profile: Pick<CloudProfile, "credential">, now: () => number = Date.now): () => Promise<string> {
  let cached: { token: string; expiresOn: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetch = async () => {
    let token;
    try {
      token = await profile.credential().getToken(AKS_AAD_SCOPE);
    } catch (e) {
      throw toAzureError(e, "getting a Kubernetes token for the Entra-integrated cluster");
    }
    if (!token) throw new AzureError("no Kubernetes token was issued for the Entra-integrated cluster", undefined, undefined, "sign in again (az login)");
    cached = { token: token.token, expiresOn: token.expiresOnTimestamp };
    return token.token;
  };
  return async () => {
    if (cached && cached.expiresOn - REFRESH_MARGIN_MS > now()) return cached.token;
    // Requests made side by side share one fetch.
    pending ??= fetch().finally(() => (pending = undefined));
    return pending;
  };
}
