// STUB — replaced by the Kubernetes API implementation.
import type { ServiceContext } from "../types.js";
/** The kubeconfig YAML that listClusterUserCredential ("user") / listClusterAdminCredential ("admin") return. */
export function buildKubeconfig(_ctx: ServiceContext, _kind: "user" | "admin"): string {
  return "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n";
}
