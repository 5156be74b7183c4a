// Who aks-wi acts as, said the way az says it, and what to do when no credential signs in. The
// token's claims are read locally (the JWT payload decoded, its signature not checked: Entra and
// ARM check it); the token itself is never printed or kept.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { AzureError } from "./errors.js";
import type { ErrorKind } from "../core/errors.js";

export interface SignedIn {
  /** The user's UPN, else the application (client) ID of a service principal or managed identity. */
  who: string;
  tenant?: string;
  /** The credential of the chain that gave the token (EnvironmentCredential, AzureCliCredential, …). */
  via: string;
}

/** The claims of a JWT's payload; {} for anything that is not one. */
export function tokenClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1];
  if (!part) return {};
  try {
    const claims = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    return claims && typeof claims === "object" ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Who a token was issued to: a user's upn (v1 tokens; unique_name, preferred_username in others),
 *  else the app ID (appid in v1, azp in v2), else the object ID. */
export function signedInFrom(token: string, via: string): SignedIn {
  const c = tokenClaims(token);
  const user = str(c.upn) ?? str(c.unique_name) ?? str(c.preferred_username);
  const app = str(c.appid) ?? str(c.azp);
  return { who: user ?? (app ? `app ${app}` : (str(c.oid) ?? "an unknown principal")), tenant: str(c.tid), via };
}

export function signedInLine(s: SignedIn, cloud?: { name: string; origin?: string }): string {
  const where = cloud ? ` in ${cloud.name}${cloud.origin ? ` (${cloud.origin})` : ""}` : "";
  return `Signed in as ${s.who}${s.tenant ? ` (tenant ${s.tenant})` : ""} via ${s.via}${where}`;
}

/** A credential that remembers which of its chain gave the last token (ChainedTokenCredential and
 *  DefaultAzureCredential say so through getTokenInternal; any other credential is itself). */
export interface TellingCredential extends TokenCredential {
  via(): string;
}

interface Chain {
  getTokenInternal?(scopes: string | string[], options?: GetTokenOptions): Promise<{ token: AccessToken; successfulCredential: TokenCredential }>;
}

export function tellingCredential(inner: TokenCredential): TellingCredential {
  let via = inner.constructor?.name || "the credential";
  return {
    async getToken(scopes, options) {
      const chain = inner as TokenCredential & Chain;
      if (typeof chain.getTokenInternal === "function") {
        const r = await chain.getTokenInternal(scopes, options);
        via = r.successfulCredential?.constructor?.name || via;
        return r.token;
      }
      return inner.getToken(scopes, options);
    },
    via: () => via,
  };
}

/** No credential could sign in: one line per credential of the chain, and az login as the fix.
 *  Exit 4, like a missing permission: the caller may not act until someone signs in; re-running
 *  as it is cannot help (exit 1 would say the work itself failed). */
export class SignInError extends AzureError {
  constructor(message: string, suggestion: string) {
    super(message, "NoCredential", undefined, suggestion);
    (this as { kind: ErrorKind }).kind = "denied";
    this.name = "SignInError";
  }
}

export const SIGN_IN_FIX =
  "sign in with az login (az login --tenant TENANT for another tenant), or set AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_CLIENT_SECRET; AZURE_TOKEN_CREDENTIALS=AzureCliCredential makes az login the only credential tried";

/** The first line of each inner error, as the chain reports it (@azure/identity's
 *  AggregateAuthenticationError: ChainedTokenCredential and DefaultAzureCredential throw it, with
 *  one error per credential in `errors`), or undefined for any other error. */
export function signInFailure(e: unknown): SignInError | undefined {
  const agg = e as { name?: unknown; errors?: unknown };
  if (agg?.name !== "AggregateAuthenticationError" || !Array.isArray(agg.errors)) return undefined;
  const lines = agg.errors.map((x: unknown) => {
    const raw = String((x as { message?: unknown })?.message ?? x)
      .split("\n")
      .map((l) => l.trim())
      .find(Boolean);
    const text = (raw ?? "failed").replace(/\s+/g, " ");
    return `  - ${text.length > 200 ? `${text.slice(0, 199)}…` : text}`;
  });
  return new SignInError(`no credential could sign in to Azure; tried ${lines.length}:\n${lines.join("\n")}`, SIGN_IN_FIX);
}
