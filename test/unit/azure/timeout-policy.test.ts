// The Azure SDK requests' time limit over a fake next policy: an attempt past the limit fails with
// ETIMEDOUT (which the SDK's retry strategy repeats); the third in a row of one request with a code
// it does not, so an ARM that never answers ends the run; an answer in time passes untouched.
import { describe, expect, it } from "vitest";
import { createHttpHeaders, createPipelineRequest, type PipelineResponse, type SendRequest } from "@azure/core-rest-pipeline";
import { azureTimeoutMs, timeoutPolicy } from "../../../src/azure/timeout-policy.js";

const never: SendRequest = (req) =>
  new Promise((_resolve, reject) => req.abortSignal?.addEventListener("abort", () => reject(Object.assign(new Error("aborted"), { name: "AbortError" }))));

describe("timeoutPolicy", () => {
  it("times out an attempt with ETIMEDOUT, and the third of one request with a code the SDK does not retry", async () => {
    const policy = timeoutPolicy(100);
    const request = createPipelineRequest({ url: "https://management.example/subscriptions/s/resourceGroups/rg?api-version=1" });
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const e = (await policy.sendRequest(request, never).catch((x: unknown) => x)) as { code: string; message: string };
      codes.push(e.code);
      expect(e.message).toBe("no answer within 0.1 s: GET https://management.example/subscriptions/s/resourceGroups/rg");
    }
    expect(codes).toEqual(["ETIMEDOUT", "ETIMEDOUT", "REQUEST_TIMED_OUT"]);
    expect(request.abortSignal).toBeUndefined(); // the caller's signal is put back
  });

  it("passes an answer in time through, and a caller's abort as it is", async () => {
    const policy = timeoutPolicy(1_000);
    const request = createPipelineRequest({ url: "https://management.example/x" });
    const answer: PipelineResponse = { request, status: 200, headers: createHttpHeaders() };
    expect(await policy.sendRequest(request, async () => answer)).toBe(answer);
    const ctl = new AbortController();
    const aborted = createPipelineRequest({ url: "https://management.example/x", abortSignal: ctl.signal });
    const pending = policy.sendRequest(aborted, never).catch((x: unknown) => x);
    ctl.abort();
    expect(((await pending) as Error).name).toBe("AbortError");
  });

  it("reads AKS_WI_AZURE_TIMEOUT in seconds, 60 s by default, and refuses what is not a positive number", () => {
    expect(azureTimeoutMs({})).toBe(60_000);
    expect(azureTimeoutMs({ AKS_WI_AZURE_TIMEOUT: "1.5" })).toBe(1_500);
    expect(() => azureTimeoutMs({ AKS_WI_AZURE_TIMEOUT: "0" })).toThrow(/must be a positive number of seconds/);
  });
});
