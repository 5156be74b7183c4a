// A time limit on every attempt of every Azure SDK request. core-rest-pipeline has none by
// default (a request whose server never answers waits forever), so this perRetry policy aborts an
// attempt after the limit and fails it with ETIMEDOUT, which the SDK's own retry strategy repeats
// (its isSystemError list) and retry-notice.ts announces. A request that times out again and again
// is not a blip: after TIMEOUT_RETRIES repeats it fails with a code the SDK does not retry, so an
// ARM that never answers ends a run in minutes, not after the SDK's six retries of a minute each.
import { RestError, type PipelinePolicy, type PipelineRequest } from "@azure/core-rest-pipeline";
import { secondsSetting } from "../core/seconds.js";

/** ARM's own front door gives a resource provider 60 s before it answers 504; no SDK call of
 *  aks-wi waits for more than that in one request (long-running operations are polled). */
export const DEFAULT_AZURE_TIMEOUT_MS = 60_000;
export const AZURE_TIMEOUT_ENV = "AKS_WI_AZURE_TIMEOUT";
const TIMEOUT_RETRIES = 2;

/** The limit: AKS_WI_AZURE_TIMEOUT (seconds), else 60 s; a bad value is an input mistake. */
export function azureTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return secondsSetting(env[AZURE_TIMEOUT_ENV], {
    name: AZURE_TIMEOUT_ENV,
    defaultMs: DEFAULT_AZURE_TIMEOUT_MS,
    positive: true,
    example: `e.g. ${AZURE_TIMEOUT_ENV}=120, or unset it for 60 s`,
  });
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

export function timeoutPolicy(limitMs: number): PipelinePolicy {
  const timeouts = new WeakMap<PipelineRequest, number>();
  return {
    name: "aksWiTimeout",
    async sendRequest(request, next) {
      const outer = request.abortSignal;
      const ctl = new AbortController();
      const cancel = () => ctl.abort();
      outer?.addEventListener("abort", cancel);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        ctl.abort();
      }, limitMs);
      request.abortSignal = ctl.signal;
      try {
        return await next(request);
      } catch (e) {
        if (!timedOut) throw e;
        const n = (timeouts.get(request) ?? 0) + 1;
        timeouts.set(request, n);
        const u = new URL(request.url);
        const message = `no answer within ${seconds(limitMs)}: ${request.method} ${u.origin}${u.pathname}`;
        // ETIMEDOUT is retried by the SDK; past the last allowed repeat, a code it does not retry
        throw new RestError(message, { code: n > TIMEOUT_RETRIES ? "REQUEST_TIMED_OUT" : "ETIMEDOUT", request });
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", cancel);
        request.abortSignal = outer;
      }
    },
  };
}
