// KubeOps for an AKS cluster reached through ARM: its user (or admin) kubeconfig, with the
// Entra token provider replacing kubelogin on Entra-integrated clusters (admin credentials
// carry their own static auth and need none).
import type { AzureOps, KubeOps } from "../core/ports.js";
import { UserError } from "../core/errors.js";
import { createKubeOps, type KubeOpsOptions } from "./ops.js";
import type { TokenProvider } from "./connect.js";

export interface ClusterKubeOptions extends Omit<KubeOpsOptions, "token"> {
  admin?: boolean;
  /** Token provider for Entra-integrated clusters (aksTokenProvider(profile) from src/azure/kube-token.ts). */
  aadToken?: TokenProvider;
}

export async function clusterKubeOps(azure: AzureOps, subscription: string, resourceGroup: string, cluster: string, opts: ClusterKubeOptions = {}): Promise<KubeOps> {
  const info = await azure.getCluster(subscription, resourceGroup, cluster);
  if (!info) throw new UserError(`cluster "${cluster}" not found in resource group "${resourceGroup}"`, "check --resource-group and --cluster");
  const yaml = await azure.getClusterKubeconfig(subscription, resourceGroup, cluster, !!opts.admin);
  const token = info.aadEnabled && !opts.admin ? opts.aadToken : undefined;
  return createKubeOps(yaml, undefined, { ...opts, token });
}
