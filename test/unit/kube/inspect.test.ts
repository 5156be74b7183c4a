// verify's Kubernetes reads that are pure: a Deployment's selector as a query, and the webhook's
// Service taken from its MutatingWebhookConfiguration.
import { describe, expect, it } from "vitest";
import { labelSelectorString, webhookServiceOf } from "../../../src/kube/inspect.js";

describe("verify's Kubernetes helpers", () => {
  it("turns matchLabels and every matchExpressions operator into a label selector", () => {
    expect(
      labelSelectorString({
        matchLabels: { app: "web" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["a", "b"] },
          { key: "env", operator: "NotIn", values: ["dev"] },
          { key: "team", operator: "Exists" },
          { key: "legacy", operator: "DoesNotExist" },
        ],
      }),
    ).toBe("app=web,tier in (a,b),env notin (dev),team,!legacy");
    expect(labelSelectorString(undefined)).toBe("");
  });

  it("finds the webhook's Service by the webhook's name, whatever the configuration and Service are called", () => {
    const cfg = (name: string, webhook: string) => ({
      metadata: { name },
      webhooks: [
        { name: webhook, admissionReviewVersions: ["v1"], sideEffects: "None", clientConfig: { service: { namespace: "kube-system", name: `${name}-svc` } } },
      ],
    });
    expect(webhookServiceOf([cfg("other", "x.example.io"), cfg("managed-wi", "mutation.azure-workload-identity.io")])).toEqual({
      found: true,
      service: { namespace: "kube-system", name: "managed-wi-svc" },
    });
    expect(webhookServiceOf([cfg("other", "x.example.io")])).toEqual({ found: false });
  });
});
