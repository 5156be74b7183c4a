// The Azure SDK clients retry on their own (core-rest-pipeline's default retry policies: 408,
// 429, 500, 502, 503, 504 and connection errors, up to 3 retries, honouring Retry-After), but
// silently. This policy sits inside that retry loop (position "perRetry": it sees every attempt)
// and says so each time the SDK is going to try again, through the same listener as every other
// retry of aks-wi, so a slow run is never silence.
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { RetryListener } from "../core/retry.js";

/** How often the SDK clients retry (clients.ts sets it: core-rest-pipeline's default is 3). Six, as
 *  aks-wi's own policy (src/core/retry.ts): a run of a few minutes against a throttling or flaky ARM
 *  should not end on the fourth 503 in a row. The statuses are those its exponential and throttling policies retry. */
export const SDK_MAX_RETRIES = 6;
const RETRIED_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const RETRIED_ERRORS = new Set(["ECONNRESET", "ENOENT", "ECONNREFUSED", "ETIMEDOUT", "ESOCKETTIMEDOUT", "EPIPE", "REQUEST_SEND_ERROR"]);

/** "GET /subscriptions/…/managedClusters/aks": the call without its query (no value of it is shown). */
function callOf(request: PipelineRequest): string {
  const u = new URL(request.url);
  // The SDKs join a scope that starts with "/" after a "/" ("//subscriptions/…"): shown as one.
  return `${request.method} ${u.pathname.replace(/\/{2,}/g, "/")}`;
}

function retryAfterOf(response: PipelineResponse): string {
  const s = Number(response.headers.get("retry-after"));
  return Number.isFinite(s) && s > 0 ? ` in ${s} s (Retry-After)` : "";
}

export function retryNoticePolicy(listener: () => RetryListener | undefined, service = "ARM"): PipelinePolicy {
  const attempts = new WeakMap<PipelineRequest, number>();
  const say = (request: PipelineRequest, attempt: number, reason: string, when: string) => {
    if (attempt > SDK_MAX_RETRIES) return; // the last attempt: the error (if any) is reported as such
    listener()?.(`${service} ${reason}, retry ${attempt}/${SDK_MAX_RETRIES}${when} (${callOf(request)}; the Azure SDK's retry policy)`, {
      service,
      what: callOf(request),
      reason,
      retry: attempt,
      of: SDK_MAX_RETRIES,
      delayMs: 0,
    });
  };
  return {
    name: "aksWiRetryNotice",
    async sendRequest(request, next) {
      const attempt = (attempts.get(request) ?? 0) + 1;
      attempts.set(request, attempt);
      let response: PipelineResponse;
      try {
        response = await next(request);
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code && RETRIED_ERRORS.has(code)) say(request, attempt, code, "");
        throw e;
      }
      if (RETRIED_STATUS.has(response.status)) say(request, attempt, String(response.status), retryAfterOf(response));
      return response;
    },
  };
}
