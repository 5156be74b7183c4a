// AKS's optimistic concurrency on managed clusters: the cluster (and each of its agent pools)
// carries a read-only `eTag` that changes on every accepted write, and a PUT or PATCH may carry
// If-Match (proceed only if the cluster's eTag is this one, or "*" for any existing cluster) and,
// for PUT, If-None-Match ("*": proceed only if there is no cluster yet). A failed precondition is
// 412 PreconditionFailed before anything else is looked at.
// Sources: azure-rest-api-specs, specification/containerservice/resource-manager/
// Microsoft.ContainerService/aks/stable/2025-10-01/managedClusters.json — ManagedClusters_CreateOrUpdate
// takes the "if-match" and "if-none-match" headers, ManagedClusters_UpdateTags and _Delete "if-match";
// ManagedCluster.eTag is "Unique read-only string used to implement optimistic concurrency. The eTag
// value will change when the resource is updated." (as @azure/arm-containerservice 24.1.0 documents it).
// learn.microsoft.com/azure/aks/use-etags: If-None-Match "can only be empty or a *"; a cluster-level
// operation updates the cluster's and the agent pools' eTags. AKS's 412 for If-Match on a missing
// cluster is worded as in Azure/azure-cli#30309; its wording for a mismatch is not on record, so
// that one follows Azure Compute's 412 (kubernetes-sigs/cloud-provider-azure#9728).
import { randomUUID } from "node:crypto";
import type { SandboxRequest, SandboxResponse } from "../../../core/types.js";
import { armError } from "../../errors.js";

const header = (req: SandboxRequest, name: string): string | undefined => {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : s.trim();
};

/** An entity tag as compared: without the quotes (and a weak W/ prefix) a client may add. */
const bare = (tag: string) => tag.replace(/^W\//, "").replace(/^"(.*)"$/, "$1");

/** The 412 (or 400) a write's preconditions earn against the cluster's current eTag (undefined:
 *  no cluster yet); undefined when the write may proceed. */
export function failedPrecondition(req: SandboxRequest, currentETag: string | undefined, exists: boolean): SandboxResponse | undefined {
  const ifMatch = header(req, "if-match");
  const ifNoneMatch = header(req, "if-none-match");
  if (ifNoneMatch !== undefined && ifNoneMatch !== "" && ifNoneMatch !== "*") {
    return armError(400, "InvalidParameter", `The If-None-Match header '${ifNoneMatch}' is not valid: it can only be empty or '*'.`);
  }
  if (ifMatch !== undefined && ifMatch !== "") {
    if (!exists)
      return armError(412, "PreconditionFailed", "Resource not found but ETag header is provided. If this is a request to create, please do not provide ETag.");
    if (ifMatch !== "*" && bare(ifMatch) !== currentETag) {
      return armError(412, "PreconditionFailed", `Etag provided in if-match header "${bare(ifMatch)}" does not match etag "${currentETag ?? ""}" of resource.`);
    }
  }
  if (ifNoneMatch === "*" && exists) {
    return armError(412, "PreconditionFailed", "Resource already exists but the If-None-Match header is '*': a request with it may only create the resource.");
  }
  return undefined;
}

/** Gives a cluster body, and each of its agent pools, a new eTag: what every accepted write does. */
export function stampETags(body: Record<string, any>): void {
  body.eTag = randomUUID();
  for (const pool of body.properties?.agentPoolProfiles ?? []) if (pool && typeof pool === "object") pool.eTag = randomUUID();
}
