// Entra's tenant discovery documents (v2.0 and v1 OpenID configuration) and the instance
// discovery answer, with the sandbox's authority host in place of login.microsoftonline.com.

/** Path segments Entra accepts in place of a tenant ID in discovery URLs. */
export const MULTI_TENANT_ALIASES = new Set(["common", "organizations", "consumers"]);

/** v2.0: `{host}/{tenant}/v2.0/.well-known/openid-configuration`. For a real tenant the endpoints
 *  carry its ID; for common/organizations they keep the alias and the issuer keeps `{tenantid}`. */
export function openIdConfigurationV2(host: string, tenantSegment: string, tenantId: string | undefined): Record<string, unknown> {
  const t = tenantId ?? tenantSegment;
  return {
    token_endpoint: `${host}/${t}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${host}/${t}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${host}/${tenantId ?? "{tenantid}"}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
    authorization_endpoint: `${host}/${t}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${host}/${t}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${host}/${t}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    kerberos_endpoint: `${host}/${t}/kerberos`,
    tenant_region_scope: "NA",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}

/** v1: `{host}/{tenant}/.well-known/openid-configuration` — issuer is sts.windows.net, like the
 *  v1 access tokens the sandbox mints. */
export function openIdConfigurationV1(host: string, tenantSegment: string, tenantId: string | undefined, tokenIssuer: string): Record<string, unknown> {
  const t = tenantId ?? tenantSegment;
  return {
    token_endpoint: `${host}/${t}/oauth2/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${host}/${t}/discovery/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "token id_token", "token"],
    scopes_supported: ["openid"],
    issuer: tenantId ? tokenIssuer : "https://sts.windows.net/{tenantid}/",
    microsoft_multi_refresh_token: true,
    authorization_endpoint: `${host}/${t}/oauth2/authorize`,
    device_authorization_endpoint: `${host}/${t}/oauth2/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${host}/${t}/oauth2/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "amr",
      "nonce",
      "email",
      "given_name",
      "family_name",
      "nickname",
    ],
    check_session_iframe: `${host}/${t}/oauth2/checksession`,
    userinfo_endpoint: `${host}/${t}/openid/userinfo`,
    kerberos_endpoint: `${host}/${t}/kerberos`,
    tenant_region_scope: "NA",
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
    rbac_url: "https://pas.windows.net",
  };
}

/** `/common/discovery/instance?api-version=1.1&authorization_endpoint=…`: the sandbox host is its
 *  own (only) cloud alias. */
export function instanceDiscovery(host: string, authorizationEndpoint: string | null): Record<string, unknown> {
  const hostName = new URL(host).host;
  let tenant = "common";
  try {
    if (authorizationEndpoint) tenant = new URL(authorizationEndpoint).pathname.split("/").filter(Boolean)[0] ?? "common";
  } catch {
    /* keep common */
  }
  return {
    tenant_discovery_endpoint: `${host}/${tenant}/v2.0/.well-known/openid-configuration`,
    "api-version": "1.1",
    metadata: [{ preferred_network: hostName, preferred_cache: hostName, aliases: [hostName] }],
  };
}
