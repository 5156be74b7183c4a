// Resources (application ID URIs) the sandbox tenant knows, so a client-credentials scope naming
// anything else gets Entra's AADSTS500011. Compared without case and trailing slash.

export const normalizeResource = (r: string) => r.toLowerCase().replace(/\/+$/, "");

/** The AKS Entra server application: the audience of Kubernetes tokens for Entra-integrated clusters. */
export const AKS_SERVER_APP_ID_RESOURCE = "6dae42f8-4368-4678-94ff-3960e28e3630";

export const KNOWN_RESOURCES: readonly string[] = [
  "https://management.azure.com",
  "https://management.core.windows.net",
  "https://vault.azure.net",
  "https://storage.azure.com",
  "https://graph.microsoft.com",
].map(normalizeResource);
