// Delete step 3: the federated credential that lets this binding's service account act as the
// identity, only when aks-wi named it (see bindingCredentials); one trusting the same subject under
// another name was made by someone else and is left.
import { defineStep, type Operation } from "../../step.js";
import { identitySubscriptionOf } from "../shared.js";
import { bindingCredentials, leftDetails } from "./shared.js";

export const deleteFederatedCredentialStep = defineStep({
  name: "federatedCredential",
  title: "Federated identity credential",

  async plan(ctx) {
    const { identityResourceGroup, identity } = ctx.inputs;
    const subscription = identitySubscriptionOf(ctx.inputs);
    const [{ ours, others }, id] = await Promise.all([bindingCredentials(ctx), ctx.seen.identity()]);
    const left = others.map(
      (fc) => `federated credential ${fc.name} trusts ${fc.subject} but was not named by aks-wi (neither ${ctx.inputs.federatedCredential} nor aks-wi-…): left`,
    );
    const ops: Operation[] = ours.map((fc, n) => ({
      id: n === 0 ? "federatedCredential:delete" : `federatedCredential:delete:${n + 1}`,
      step: "federatedCredential",
      action: "delete",
      target: fc.id,
      summary: `delete federated credential ${fc.name} (${fc.subject})`,
      after: [],
      needs: [{ plane: "arm", action: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete", scope: id?.id ?? fc.id }],
      run: async (run) => run.azure.deleteFederatedCredential(subscription, identityResourceGroup, identity, fc.name),
    }));
    if (ops.length === 0) return { change: "none", summary: "no federated credential made by aks-wi for this binding", details: leftDetails(left), ops };
    return { change: "delete", summary: ops.map((o) => o.summary).join("; "), details: leftDetails(left), ops };
  },
});
