// The order of `aks-wi delete`: init's steps in reverse, so what depends on something goes before
// it (the test pod before its service account, the credential and role assignments before the
// identity). The same engine (src/init/runner.ts) plans, checks, asks and applies them.
import type { Step } from "../../step.js";
import { deleteClusterStep } from "./cluster.js";
import { deleteIssuerStep } from "./issuer.js";
import { deleteFederatedCredentialStep } from "./federated-credential.js";
import { deleteIdentityStep } from "./identity.js";
import { deleteRoleAssignmentStep } from "./role-assignment.js";
import { deleteServiceAccountStep } from "./service-account.js";
import { deleteTestPodStep } from "./test-pod.js";

export const DELETE_STEPS: Step[] = [
  deleteTestPodStep,
  deleteRoleAssignmentStep,
  deleteFederatedCredentialStep,
  deleteServiceAccountStep,
  deleteIdentityStep,
  deleteIssuerStep,
  deleteClusterStep,
];
