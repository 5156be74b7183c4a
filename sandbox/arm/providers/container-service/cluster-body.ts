// The ARM representation of a managed cluster: what a fresh AKS cluster's GET looks like, and how
// a PUT body (often a whole GET'd body sent back by the SDK) is folded into the stored one —
// writable fields taken, read-only fields kept as the service has them.
import { createHash, randomUUID } from "node:crypto";

export const KUBERNETES_VERSION = "1.32.7";
const NODE_IMAGE = "AKSUbuntu-2204gen2containerd-202510.03.0";

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
const isObject = (v: unknown): v is Record<string, any> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Fields of `properties` the service owns: a PUT cannot change them. */
const READ_ONLY_PROPERTIES = [
  "provisioningState",
  "powerState",
  "fqdn",
  "azurePortalFQDN",
  "privateFQDN",
  "currentKubernetesVersion",
  "maxAgentPools",
  "identityProfile",
  "resourceUID",
  "nodeResourceGroup",
  "dnsPrefix",
];
const READ_ONLY_POOL_FIELDS = ["provisioningState", "currentOrchestratorVersion", "nodeImageVersion", "powerState", "eTag"];

function agentPool(name: string, version: string, overrides: Record<string, any> = {}): Record<string, any> {
  return {
    eTag: randomUUID(),
    name,
    count: 1,
    vmSize: "Standard_D2s_v5",
    osDiskSizeGB: 128,
    osDiskType: "Managed",
    kubeletDiskType: "OS",
    maxPods: 250,
    type: "VirtualMachineScaleSets",
    enableAutoScaling: false,
    scaleDownMode: "Delete",
    provisioningState: "Succeeded",
    powerState: { code: "Running" },
    orchestratorVersion: version,
    currentOrchestratorVersion: version,
    enableNodePublicIP: false,
    mode: "System",
    enableEncryptionAtHost: false,
    enableUltraSSD: false,
    osType: "Linux",
    osSKU: "Ubuntu",
    nodeImageVersion: NODE_IMAGE,
    upgradeSettings: { maxSurge: "10%", maxUnavailable: "0" },
    enableFIPS: false,
    securityProfile: { enableVTPM: false, enableSecureBoot: false },
    ...overrides,
  };
}

/** A managed cluster's ID as AKS spells it: "resourcegroups" in lower case, whatever the request
 *  said (AKS's PUT to .../resourceGroups/clitest000001/... answers "id":
 *  "/subscriptions/…/resourcegroups/clitest000001/providers/Microsoft.ContainerService/managedClusters/…"
 *  in Azure/azure-cli's recording test_aks_create_default_service_msi.yaml). */
export function managedClusterId(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

/** A fresh AKS cluster as GET returns it: OIDC issuer and workload identity off (the state at
 *  the start of every tutorial), local accounts on, no Entra integration (aadProfile absent). */
export function seedClusterBody(p: {
  id: string;
  name: string;
  location: string;
  resourceGroup: string;
  kubeServer: string;
  tenantId: string;
}): Record<string, any> {
  const subscriptionId = /\/subscriptions\/([^/]+)/i.exec(p.id)?.[1] ?? "";
  const hash = createHash("sha256").update(p.id.toLowerCase()).digest("hex");
  const dnsPrefix = `${p.name.slice(0, 10)}-${p.resourceGroup.slice(0, 16)}-${subscriptionId.slice(0, 6)}`.replace(/[^a-zA-Z0-9-]/g, "");
  const host = new URL(p.kubeServer).host;
  const nodeResourceGroup = `MC_${p.resourceGroup}_${p.name}_${p.location}`;
  return {
    id: p.id,
    location: p.location,
    name: p.name,
    type: "Microsoft.ContainerService/ManagedClusters",
    kind: "Base",
    properties: {
      provisioningState: "Succeeded",
      powerState: { code: "Running" },
      kubernetesVersion: KUBERNETES_VERSION,
      currentKubernetesVersion: KUBERNETES_VERSION,
      dnsPrefix,
      // The sandbox's API server answers on 127.0.0.1:PORT; fqdn says where, as in Azure.
      fqdn: host,
      azurePortalFQDN: host,
      agentPoolProfiles: [agentPool("nodepool1", KUBERNETES_VERSION)],
      servicePrincipalProfile: { clientId: "msi" },
      addonProfiles: {},
      nodeResourceGroup,
      enableRBAC: true,
      supportPlan: "KubernetesOfficial",
      networkProfile: {
        networkPlugin: "azure",
        networkPluginMode: "overlay",
        networkPolicy: "none",
        networkDataplane: "azure",
        loadBalancerSku: "standard",
        loadBalancerProfile: { managedOutboundIPs: { count: 1 }, backendPoolType: "nodeIPConfiguration" },
        podCidr: "10.244.0.0/16",
        serviceCidr: "10.0.0.0/16",
        dnsServiceIP: "10.0.0.10",
        outboundType: "loadBalancer",
        podCidrs: ["10.244.0.0/16"],
        serviceCidrs: ["10.0.0.0/16"],
        ipFamilies: ["IPv4"],
      },
      maxAgentPools: 100,
      identityProfile: {
        kubeletidentity: {
          resourceId: `/subscriptions/${subscriptionId}/resourcegroups/${nodeResourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${p.name}-agentpool`,
          clientId: randomUUID(),
          objectId: randomUUID(),
        },
      },
      autoUpgradeProfile: { upgradeChannel: "patch", nodeOSUpgradeChannel: "NodeImage" },
      disableLocalAccounts: false,
      securityProfile: {},
      storageProfile: { diskCSIDriver: { enabled: true }, fileCSIDriver: { enabled: true }, snapshotController: { enabled: true } },
      oidcIssuerProfile: { enabled: false },
      workloadAutoScalerProfile: {},
      resourceUID: hash.slice(0, 24),
      metricsProfile: { costAnalysis: { enabled: false } },
      nodeProvisioningProfile: { mode: "Manual" },
      bootstrapProfile: { artifactSource: "Direct" },
    },
    // The system-assigned identity's tenant, as AKS reports it (e.g. the create response in
    // Azure/azure-cli acs test recording test_aks_create_default_service_msi.yaml).
    identity: { type: "SystemAssigned", principalId: randomUUID(), tenantId: p.tenantId },
    sku: { name: "Base", tier: "Free" },
    // read-only; changes on every accepted write (preconditions.ts)
    eTag: randomUUID(),
  };
}

/** Objects merge key by key, anything else (arrays, scalars, null) replaces. */
function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isObject(base) || !isObject(patch)) return clone(patch);
  const out: Record<string, any> = clone(base);
  for (const [k, v] of Object.entries(patch)) out[k] = v === undefined ? out[k] : deepMerge(out[k], v);
  return out;
}

function mergePools(current: any[] | undefined, requested: unknown): any[] | undefined {
  if (!Array.isArray(requested)) return current;
  return requested.filter(isObject).map((pool) => {
    const name = String(pool.name ?? "");
    const existing = current?.find((c) => String(c.name).toLowerCase() === name.toLowerCase());
    const base = existing ?? agentPool(name, pool.orchestratorVersion ?? KUBERNETES_VERSION, { mode: pool.mode ?? "User" });
    const merged = deepMerge(base, pool) as Record<string, any>;
    for (const f of READ_ONLY_POOL_FIELDS)
      if (base[f] !== undefined) merged[f] = clone(base[f]);
      else delete merged[f];
    return merged;
  });
}

/** The body the cluster will have once a PUT's operation finishes (provisioningState aside).
 *  issuerURL is the service's to set: the caller's value is never taken. */
export function mergeClusterBody(current: Record<string, any>, request: Record<string, any>): Record<string, any> {
  const next = clone(current);
  if ("tags" in request) {
    if (request.tags === null || request.tags === undefined) delete next.tags;
    else next.tags = clone(request.tags);
  }
  if (isObject(request.sku)) next.sku = deepMerge(next.sku, request.sku);
  if (isObject(request.identity)) {
    next.identity = { ...clone(next.identity ?? {}), type: request.identity.type ?? next.identity?.type };
    if (request.identity.userAssignedIdentities) next.identity.userAssignedIdentities = clone(request.identity.userAssignedIdentities);
  }
  const reqProps = isObject(request.properties) ? request.properties : {};
  const curProps = (next.properties ?? {}) as Record<string, any>;
  const { agentPoolProfiles, ...rest } = reqProps;
  const props = deepMerge(curProps, rest) as Record<string, any>;
  props.agentPoolProfiles = mergePools(curProps.agentPoolProfiles, agentPoolProfiles);
  for (const f of READ_ONLY_PROPERTIES)
    if (curProps[f] !== undefined) props[f] = clone(curProps[f]);
    else delete props[f];
  const issuerURL = curProps.oidcIssuerProfile?.issuerURL;
  props.oidcIssuerProfile = { ...(props.oidcIssuerProfile ?? {}), enabled: props.oidcIssuerProfile?.enabled === true };
  if (issuerURL) props.oidcIssuerProfile.issuerURL = issuerURL;
  else delete props.oidcIssuerProfile.issuerURL;
  if (props.kubernetesVersion && props.kubernetesVersion !== curProps.kubernetesVersion) {
    props.currentKubernetesVersion = props.kubernetesVersion;
  }
  next.properties = props;
  return next;
}
