// Kubernetes bearer tokens for Entra-integrated AKS clusters, from the profile's own Azure
// credential (what kubelogin would do), so no exec plugin is needed. Tokens are cached by the
// credential; this only asks for them and never logs or stores them.
import { AKS_AAD_SERVER_APP_ID, type CloudProfile } from "./cloud.js";
import { AzureError, toAzureError } from "./errors.js";

export const AKS_AAD_SCOPE = `${AKS_AAD_SERVER_APP_ID}/.default`;

export function aksTokenProvider(profile: CloudProfile): () => Promise<string> {
  return async () => {
    let token;
    try {
      token = await profile.credential().getToken(AKS_AAD_SCOPE);
    } catch (e) {
      throw toAzureError(e, "getting a Kubernetes token for the Entra-integrated cluster");
    }
    if (!token) throw new AzureError("no Kubernetes token was issued for the Entra-integrated cluster", undefined, undefined, "sign in again (az login)");
    return token.token;
  };
}
