// STUB — replaced by the managedClusters implementation (owner: ARM engineer).
export function seedClusterBody(p: { id: string; name: string; location: string; resourceGroup: string; kubeServer: string }): Record<string, any> {
  return { id: p.id, name: p.name, type: "Microsoft.ContainerService/ManagedClusters", location: p.location, properties: { provisioningState: "Succeeded", oidcIssuerProfile: { enabled: false }, securityProfile: {}, fqdn: new URL(p.kubeServer).host } };
}
