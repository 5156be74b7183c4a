// Check 1: the cluster has the OIDC issuer and workload identity on, and the webhook that injects
// the environment and token into pods is installed with ready endpoints. The webhook is found from
// its MutatingWebhookConfiguration (the Service it calls), so a managed add-on whose objects are
// named unlike the open-source chart's is judged by what the API server itself would call.
import { credentialFix } from "../core/kube-advice.js";
import { WEBHOOK_DEPLOYMENT, WEBHOOK_MUTATION_NAME, WEBHOOK_NAMESPACE, WEBHOOK_SELECTOR } from "../core/workload-identity.js";
import type { Facts, Finding } from "./types.js";
import { couldNotCheck, finding, sh, wasTransient } from "./util.js";

export function checkCluster(facts: Facts): Finding[] {
  const t = facts.target;
  const c = facts.cluster;
  if (!c && wasTransient(facts, "cluster")) return [couldNotCheck("cluster", "cluster-transient", `reading cluster ${t.cluster}`, facts.clusterError)];
  if (!c) {
    return [
      finding("cluster", "FAIL", "cluster-not-found", facts.clusterError ?? `cluster ${t.cluster} was not found in resource group ${t.resourceGroup}`, {
        fix: "check --subscription, --resource-group and --cluster",
      }),
    ];
  }
  const out: Finding[] = [];
  const enable = `az aks update -g ${sh(t.resourceGroup)} -n ${sh(t.cluster)} --enable-oidc-issuer --enable-workload-identity (or aks-wi init)`;
  if (!c.oidcIssuerEnabled) {
    out.push(
      finding("cluster", "FAIL", "oidc-issuer-disabled", "the cluster's OIDC issuer is off, so Entra cannot verify its service-account tokens", {
        expected: "oidcIssuerProfile.enabled = true",
        actual: "false",
        fix: enable,
      }),
    );
  } else if (!c.issuerUrl) {
    out.push(
      finding("cluster", "WARN", "oidc-issuer-url-missing", "the OIDC issuer is on but ARM reports no issuer URL yet", {
        fix: "wait for the cluster update to finish, then re-run",
      }),
    );
  }
  if (!c.workloadIdentityEnabled) {
    out.push(
      finding("cluster", "FAIL", "workload-identity-disabled", "workload identity is off: no pod gets the Azure environment or the projected token", {
        expected: "securityProfile.workloadIdentity.enabled = true",
        actual: "false",
        fix: enable,
      }),
    );
  }
  const w = facts.webhook;
  const scale = `kubectl -n ${WEBHOOK_NAMESPACE} get deploy,pods -l ${WEBHOOK_SELECTOR}; kubectl -n ${WEBHOOK_NAMESPACE} scale deploy ${WEBHOOK_DEPLOYMENT} --replicas=2`;
  if (w?.error && (w.transient || wasTransient(facts, "webhook"))) {
    out.push(couldNotCheck("cluster", "webhook-transient", "inspecting the workload identity webhook", w.error));
  } else if (!w || w.error) {
    out.push(
      finding("cluster", "WARN", "webhook-unknown", `the webhook could not be inspected${w?.error ? `: ${w.error}` : ""}`, {
        fix: credentialFix(c, "check the Kubernetes credential (--admin, --kubeconfig)"),
      }),
    );
  } else if (!w.deploymentFound && !w.configurationFound) {
    out.push(
      finding(
        "cluster",
        "FAIL",
        "webhook-missing",
        `the workload identity webhook (${w.configurationFound === false ? `no MutatingWebhookConfiguration holds ${WEBHOOK_MUTATION_NAME}; ` : ""}deployment ${WEBHOOK_NAMESPACE}/${WEBHOOK_DEPLOYMENT}) is not installed`,
        {
          expected: `webhook ${WEBHOOK_MUTATION_NAME} and deployment ${WEBHOOK_DEPLOYMENT} in ${WEBHOOK_NAMESPACE}`,
          actual: "not found",
          fix: c.workloadIdentityEnabled ? "the add-on installs it: wait a minute after enabling workload identity, or re-run the update" : enable,
        },
      ),
    );
  } else if (w.service && w.readyEndpoints < 1) {
    out.push(
      finding(
        "cluster",
        "FAIL",
        "webhook-no-endpoints",
        `the webhook service ${w.service} has no ready endpoints: pods labelled for workload identity are rejected or not mutated`,
        {
          expected: ">= 1 ready endpoint",
          actual: `0 ready endpoints (deployment: ${w.deploymentFound ? `${w.readyReplicas ?? 0}/${w.replicas ?? 0} replicas ready` : "not found by its chart name"})`,
          fix: scale,
        },
      ),
    );
  } else if (!w.service && w.deploymentFound && (w.readyReplicas ?? 0) < 1) {
    out.push(
      finding(
        "cluster",
        "FAIL",
        "webhook-not-ready",
        `the webhook deployment ${WEBHOOK_NAMESPACE}/${WEBHOOK_DEPLOYMENT} has no ready replica: pods labelled for workload identity are rejected or not mutated`,
        {
          expected: ">= 1 ready replica",
          actual: `${w.readyReplicas ?? 0}/${w.replicas ?? 0} replicas ready`,
          fix: scale,
        },
      ),
    );
  } else if (!w.service) {
    out.push(
      finding(
        "cluster",
        "WARN",
        "webhook-service-unknown",
        `the webhook's Service could not be found from its MutatingWebhookConfiguration (${w.configurationFound === undefined ? "not allowed to list mutatingwebhookconfigurations" : "it names none"}); judged by the deployment's ${w.readyReplicas ?? 0} ready replica(s)`,
        {
          fix: "kubectl get mutatingwebhookconfigurations (needs cluster-scope read)",
        },
      ),
    );
  }
  if (!out.some((f) => f.status === "FAIL" || f.status === "UNKNOWN")) {
    out.push(
      finding(
        "cluster",
        "PASS",
        "cluster-ok",
        `OIDC issuer ${c.issuerUrl ?? "(on)"}; workload identity on; webhook ${w?.service ? `${w.service}: ${w.readyEndpoints} ready endpoint(s)` : `${w?.readyReplicas ?? "?"} ready replica(s)`}`,
      ),
    );
  }
  return out;
}
