// The flags init and verify share, as commander hands them over: which workload on which cluster,
// and how to reach Azure and the cluster. Each command's options extend these.

/** Which cluster, identity and service account a command is about. */
export interface WorkloadOptions {
  subscription?: string;
  resourceGroup?: string;
  cluster?: string;
  identity?: string;
  identityResourceGroup?: string;
  namespace?: string;
  serviceAccount?: string;
}

/** Where the state file is, how to reach the cloud and the cluster, and how to print. */
export interface ConnectionOptions {
  output?: string;
  state?: string;
  sandbox?: boolean;
  sandboxDir?: string;
  kubeconfig?: string;
  context?: string;
  admin?: boolean;
}
