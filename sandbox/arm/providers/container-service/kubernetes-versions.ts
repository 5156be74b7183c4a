// Microsoft.ContainerService/locations/{location}/kubernetesVersions: the minor versions AKS
// supports in a region, with their patches (the shape of az aks get-versions). A cluster whose
// minor is not listed is out of support, and AKS refuses any PUT on it until it is upgraded.
import type { ArmRoute } from "../../route.js";
import { KUBERNETES_VERSION } from "./cluster-body.js";

/** Supported minors, newest last; the default cluster's minor is among them. */
export const SUPPORTED_MINORS = ["1.31", "1.32", "1.33"] as const;
const PATCHES: Record<string, string[]> = { "1.31": ["1.31.11", "1.31.12"], "1.32": ["1.32.6", KUBERNETES_VERSION], "1.33": ["1.33.2", "1.33.3"] };

export const minorOf = (version: string) => version.split(".").slice(0, 2).join(".");
export const isSupportedVersion = (version: string) => (SUPPORTED_MINORS as readonly string[]).includes(minorOf(version));

export const kubernetesVersionRoutes: ArmRoute[] = [
  {
    path: "/subscriptions/{subscriptionId}/providers/Microsoft.ContainerService/locations/{location}/kubernetesVersions",
    methods: ["GET"],
    apiVersions: ["2023-02-01", "2023-06-01", "2024-01-01", "2024-05-01", "2024-09-01", "2025-01-01", "2025-04-01", "2025-07-01", "2025-10-01"],
    action: () => "Microsoft.ContainerService/locations/kubernetesVersions/read",
    async handle() {
      const values = SUPPORTED_MINORS.map((minor) => ({
        version: minor,
        isDefault: minor === minorOf(KUBERNETES_VERSION) || undefined,
        capabilities: { supportPlan: ["KubernetesOfficial", "AKSLongTermSupport"] },
        patchVersions: Object.fromEntries(PATCHES[minor]!.map((p) => [p, { upgrades: [] as string[] }])),
      }));
      return { status: 200, body: { values } };
    },
  },
];
