// The Azure SDK clients' and credentials' share of the one proxy rule (src/core/proxy.ts).
// core-rest-pipeline has a proxy policy of its own, but it reads HTTP_PROXY for https URLs too,
// matches NO_PROXY entries only exactly or as ".domain", and drops the client's CA when it
// tunnels ("TLS settings are not supported in combination with custom Proxy"), so a proxied
// sandbox could not be trusted. This policy chooses the agent instead: the pipeline's proxy policy
// leaves a request that already has one alone, and the node HTTP client uses it as it is.
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { httpsAgentFor } from "../core/proxy.js";

export function proxyAgentPolicy(caPem?: string): PipelinePolicy {
  return {
    name: "aksWiProxyAgent",
    sendRequest(request, next) {
      const agent = httpsAgentFor(request.url, caPem);
      if (agent) request.agent = agent;
      return next(request);
    },
  };
}
