// The notice inside the Azure SDK's retry loop: one line per attempt the SDK will repeat (a
// retried status or connection error), none for the last attempt or an answer that is final.
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { SDK_MAX_RETRIES, retryNoticePolicy } from "../../../src/azure/retry-notice.js";

const answer =
  (status: number, headers: Record<string, string> = {}) =>
  async (): Promise<PipelineResponse> => ({
    status,
    headers: createHttpHeaders(headers),
    request: createPipelineRequest({ url: "https://x" }),
  });

describe("retryNoticePolicy", () => {
  it("says each retry of one request, with the status, Retry-After and the call without its query", async () => {
    const lines: string[] = [];
    const policy = retryNoticePolicy(() => (l: string) => void lines.push(l));
    const req = createPipelineRequest({ url: "https://arm.example/subscriptions/s/resourceGroups/rg?api-version=2025-10-01&$filter=secret", method: "GET" });
    await policy.sendRequest(req, answer(503, { "retry-after": "2" }));
    await policy.sendRequest(req, answer(429));
    await policy.sendRequest(req, answer(200));
    expect(lines).toEqual([
      "ARM 503, retry 1/6 in 2 s (Retry-After) (GET /subscriptions/s/resourceGroups/rg; the Azure SDK's retry policy)",
      "ARM 429, retry 2/6 (GET /subscriptions/s/resourceGroups/rg; the Azure SDK's retry policy)",
    ]);
  });

  it("says nothing for final answers, and nothing after the last attempt; connection errors are said and rethrown", async () => {
    const lines: string[] = [];
    const policy = retryNoticePolicy(() => (l: string) => void lines.push(l));
    await policy.sendRequest(createPipelineRequest({ url: "https://arm.example/a" }), answer(404));
    await policy.sendRequest(createPipelineRequest({ url: "https://arm.example/a" }), answer(409));
    expect(lines).toEqual([]);
    const req = createPipelineRequest({ url: "https://arm.example/b", method: "PUT" });
    for (let i = 0; i <= SDK_MAX_RETRIES; i++) await policy.sendRequest(req, answer(500));
    expect(lines).toHaveLength(SDK_MAX_RETRIES);
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    await expect(
      policy.sendRequest(createPipelineRequest({ url: "https://arm.example/c" }), async () => {
        throw reset;
      }),
    ).rejects.toBe(reset);
    expect(lines.at(-1)).toMatch(/^ARM ECONNRESET, retry 1\/6 \(GET \/c;/);
  });
});
