// Microsoft.Features (Azure Feature Exposure Control): preview features a subscription opts into
// — `az feature register/show/list`. Paths, operations and shapes as in azure-rest-api-specs
// specification/resources/resource-manager/Microsoft.Features/stable/2021-07-01/features.json
// (Features_ListAll, Features_List, Features_Get, Features_Register, Features_Unregister) and the
// Azure CLI's recordings (resource/tests/latest/recordings/test_feature_*.yaml): the answer is
// {properties: {state}, id, type: "Microsoft.Features/providers/features", name: "NS/Feature"}.
// A registration is "Registering" for the latency profile's featureRegistrationMs, then
// "Registered"; a name the catalogue lacks is ARM's FeatureNotFound.
import type { ArmCall, ArmRoute } from "../../route.js";
import { armError } from "../../errors.js";
import { registrationState, requestRegistration } from "../resources/registrations.js";

/** Ascending, from azure-rest-api-specs (az 2.45 sends 2021-07-01). */
const FEATURE_API_VERSIONS = ["2015-12-01", "2021-07-01", "2025-03-01"] as const;

/** Real preview features of the namespaces the sandbox serves; none registered in a new subscription. */
const CATALOGUE: Record<string, string[]> = {
  "Microsoft.ContainerService": [
    "EnableWorkloadIdentityPreview",
    "EnableOIDCIssuerPreview",
    "AKS-KedaPreview",
    "EnableAPIServerVnetIntegrationPreview",
    "AzureServiceMeshPreview",
    "NodeAutoProvisioningPreview",
  ],
};

const SUB = "/subscriptions/{subscriptionId}/providers/Microsoft.Features";
const FEATURE = `${SUB}/providers/{resourceProviderNamespace}/features/{featureName}`;

interface Feature {
  namespace: string;
  name: string;
}

const allFeatures = (): Feature[] => Object.entries(CATALOGUE).flatMap(([namespace, names]) => names.map((name) => ({ namespace, name })));

function find(namespace: string, name: string): Feature | undefined {
  return allFeatures().find((f) => f.namespace.toLowerCase() === namespace.toLowerCase() && f.name.toLowerCase() === name.toLowerCase());
}

const featureId = (call: ArmCall, f: Feature) =>
  `/subscriptions/${call.ctx.world.state.subscriptionId}/providers/Microsoft.Features/providers/${f.namespace}/features/${f.name}`;

function body(call: ArmCall, f: Feature, state = registrationState(call.ctx, featureId(call, f), "NotRegistered")) {
  return { properties: { state }, id: featureId(call, f), type: "Microsoft.Features/providers/features", name: `${f.namespace}/${f.name}` };
}

const subscriptionScope = (call: ArmCall) => `/subscriptions/${call.ctx.world.state.subscriptionId}`;

const featureNotFound = (name: string) => armError(404, "FeatureNotFound", `The feature '${name}' could not be found.`);

function registration(register: boolean): ArmRoute {
  const verb = register ? "register" : "unregister";
  return {
    path: `${FEATURE}/${verb}`,
    methods: ["POST"],
    apiVersions: FEATURE_API_VERSIONS,
    action: () => `Microsoft.Features/providers/features/${verb}/action`,
    scope: subscriptionScope,
    async handle(call) {
      const f = find(call.params.resourceProviderNamespace, call.params.featureName);
      if (!f) return featureNotFound(call.params.featureName);
      const state = requestRegistration(call.ctx, featureId(call, f), "NotRegistered", register, call.ctx.latency.featureRegistrationMs);
      return { status: 200, body: body(call, f, state) };
    },
  };
}

export const featureRoutes: ArmRoute[] = [
  {
    path: `${SUB}/features`,
    methods: ["GET"],
    apiVersions: FEATURE_API_VERSIONS,
    action: () => "Microsoft.Features/features/read",
    scope: subscriptionScope,
    async handle(call) {
      return { status: 200, body: { value: allFeatures().map((f) => body(call, f)) } };
    },
  },
  {
    path: `${SUB}/providers/{resourceProviderNamespace}/features`,
    methods: ["GET"],
    apiVersions: FEATURE_API_VERSIONS,
    action: () => "Microsoft.Features/providers/features/read",
    scope: subscriptionScope,
    async handle(call) {
      const ns = call.params.resourceProviderNamespace.toLowerCase();
      return {
        status: 200,
        body: {
          value: allFeatures()
            .filter((f) => f.namespace.toLowerCase() === ns)
            .map((f) => body(call, f)),
        },
      };
    },
  },
  {
    path: FEATURE,
    methods: ["GET"],
    apiVersions: FEATURE_API_VERSIONS,
    action: () => "Microsoft.Features/providers/features/read",
    scope: subscriptionScope,
    async handle(call) {
      const f = find(call.params.resourceProviderNamespace, call.params.featureName);
      return f ? { status: 200, body: body(call, f) } : featureNotFound(call.params.featureName);
    },
  },
  registration(true),
  registration(false),
];
