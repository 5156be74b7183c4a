// Sign-in is a call like any other: Entra's token endpoint answers 429, 5xx and transient AADSTS
// codes (90033 "temporarily unavailable" among them) and drops connections. The SDK pipeline's
// retry policy does not repeat a failed token request (the bearer-token policy throws), so every
// credential of a cloud profile is wrapped in the shared retry policy, which says so while it waits.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import { entraTransient, networkTransient, statusTransient, withRetry, type RetryListener, type Transient } from "../core/retry.js";
import { signInFailure, type TellingCredential } from "./sign-in.js";

/** What of a failed token request may be repeated: a transient AADSTS code, 408/429/5xx, a socket error. */
export function tokenTransient(e: unknown): Transient | undefined {
  const message = String((e as { message?: unknown })?.message ?? "");
  const codes = (e as { errorResponse?: { errorCodes?: number[]; error_codes?: number[] } })?.errorResponse;
  const fromList = [...(codes?.errorCodes ?? []), ...(codes?.error_codes ?? [])][0];
  const aadsts = fromList ?? (/AADSTS(\d{5,6})/.exec(message) ? Number(/AADSTS(\d{5,6})/.exec(message)![1]) : undefined);
  return entraTransient(aadsts) ?? statusTransient((e as { statusCode?: number })?.statusCode) ?? networkTransient(e);
}

/** `inner`, with each getToken retried; `listener()` is asked at each retry (the command sets it).
 *  When no credential of a chain signs in, the error says what each tried (SignInError). */
export function retryingCredential(
  inner: TokenCredential,
  listener: () => RetryListener | undefined,
): TokenCredential & Partial<Pick<TellingCredential, "via">> {
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      try {
        return await withRetry(() => inner.getToken(scopes, options), {
          service: "Entra token endpoint",
          what: "signing in",
          transientError: tokenTransient,
          onRetry: (line, ev) => listener()?.(line, ev),
        });
      } catch (e) {
        throw signInFailure(e) ?? e;
      }
    },
    via: (inner as Partial<TellingCredential>).via?.bind(inner),
  };
}
