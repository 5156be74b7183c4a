// The order of `aks-wi init`: each step reads what the earlier ones recorded.
import { clusterStep } from "./cluster.js";
import { federatedCredentialStep } from "./federated-credential.js";
import { identityStep } from "./identity.js";
import { issuerStep } from "./issuer.js";
import { roleAssignmentStep } from "./role-assignment.js";
import { serviceAccountStep } from "./service-account.js";
import { testPodStep } from "./test-pod.js";
import { workloadsStep } from "./workloads.js";
import type { Step } from "../step.js";

export const STEPS: Step[] = [
  clusterStep,
  issuerStep,
  identityStep,
  serviceAccountStep,
  federatedCredentialStep,
  roleAssignmentStep,
  workloadsStep,
  testPodStep,
];
