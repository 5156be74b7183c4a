// The order of `aks-wi init`: each step reads what the earlier ones recorded.
import { clusterStep } from "./cluster.js";
import { federatedCredentialStep } from "./federatedCredential.js";
import { identityStep } from "./identity.js";
import { issuerStep } from "./issuer.js";
import { roleAssignmentStep } from "./roleAssignment.js";
import { serviceAccountStep } from "./serviceAccount.js";
import { testPodStep } from "./testPod.js";
import type { Step } from "../init/step.js";

export const STEPS: Step[] = [
  clusterStep,
  issuerStep,
  identityStep,
  serviceAccountStep,
  federatedCredentialStep,
  roleAssignmentStep,
  testPodStep,
];

export { clusterStep, issuerStep, identityStep, serviceAccountStep, federatedCredentialStep, roleAssignmentStep, testPodStep };
