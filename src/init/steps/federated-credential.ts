// Step 5: the federated identity credential that lets the service account's token be exchanged
// for the identity's. Matched by (issuer, subject) - the pair Entra compares - never by name.
import { StepError } from "../../core/errors.js";
import { MAX_FEDERATED_CREDENTIALS, TOKEN_AUDIENCE, serviceAccountSubject } from "../../core/workload-identity.js";
import { PENDING, currentIdentity, currentIssuer } from "./shared.js";
import type { FederatedCredentialInfo } from "../../core/ports.js";
import { defineStep, type StepContext } from "../step.js";

interface Inspection {
  issuer?: string;
  subject: string;
  identityExists: boolean;
  existing: FederatedCredentialInfo[];
  match?: FederatedCredentialInfo;
}

const audiencesOk = (fc: FederatedCredentialInfo) => fc.audiences.length === 1 && fc.audiences[0] === TOKEN_AUDIENCE;

async function inspect(ctx: StepContext): Promise<Inspection> {
  const { subscription, identityResourceGroup, identity, namespace, serviceAccount } = ctx.inputs;
  const subject = serviceAccountSubject(namespace, serviceAccount);
  const [issuer, id] = await Promise.all([currentIssuer(ctx), currentIdentity(ctx)]);
  const existing = id ? await ctx.azure.listFederatedCredentials(subscription, identityResourceGroup, identity) : [];
  const match = issuer ? existing.find((fc) => fc.issuer === issuer && fc.subject === subject) : undefined;
  return { issuer, subject, identityExists: !!id, existing, match };
}

/** Refuses what a create would break: the 20-credential limit, or a same-named credential for another subject. */
function checkCreate(ctx: StepContext, i: Inspection): void {
  const name = ctx.inputs.federatedCredential;
  if (i.existing.length >= MAX_FEDERATED_CREDENTIALS) {
    throw new StepError(
      "federatedCredential",
      `identity ${ctx.inputs.identity} already has ${i.existing.length} federated credentials, Azure's limit is ${MAX_FEDERATED_CREDENTIALS}`,
      "delete an unused one (az identity federated-credential delete) or use another --identity",
    );
  }
  const sameName = i.existing.find((fc) => fc.name.toLowerCase() === name.toLowerCase());
  if (sameName) {
    throw new StepError(
      "federatedCredential",
      `identity ${ctx.inputs.identity} already has a federated credential named "${name}" for issuer ${sameName.issuer} and subject ${sameName.subject}`,
      "choose another --federated-credential name (that one serves a different issuer or service account)",
    );
  }
}

export const federatedCredentialStep = defineStep({
  name: "federatedCredential",
  title: "Federated identity credential",

  async plan(ctx) {
    const i = await inspect(ctx);
    const details = { issuer: i.issuer ?? PENDING, subject: i.subject, audience: TOKEN_AUDIENCE };
    if (i.match && audiencesOk(i.match)) {
      return { change: "none", summary: `federated credential ${i.match.name} already trusts ${i.subject}`, details: { name: i.match.name, ...details } };
    }
    if (i.match) {
      return {
        change: "update",
        summary: `set the audience of federated credential ${i.match.name} to ${TOKEN_AUDIENCE}`,
        details: { name: i.match.name, ...details, "current audiences": i.match.audiences.join(", ") },
      };
    }
    if (i.identityExists && i.issuer) checkCreate(ctx, i);
    const name = ctx.inputs.federatedCredential;
    return { change: "create", summary: `create federated credential ${name} for ${i.subject}`, details: { name, ...details } };
  },

  async apply(ctx) {
    const { subscription, identityResourceGroup, identity } = ctx.inputs;
    const i = await inspect(ctx);
    if (!i.issuer) throw new StepError("federatedCredential", "the cluster has no OIDC issuer URL", "re-run aks-wi init so the cluster step enables it");
    if (!i.identityExists) throw new StepError("federatedCredential", `identity ${identity} not found`, "re-run aks-wi init so the identity step creates it");
    let fc = i.match;
    if (!fc || !audiencesOk(fc)) {
      if (!fc) checkCreate(ctx, i);
      const name = fc?.name ?? ctx.inputs.federatedCredential;
      fc = await ctx.azure.putFederatedCredential(subscription, identityResourceGroup, identity, {
        name,
        issuer: i.issuer,
        subject: i.subject,
        audiences: [TOKEN_AUDIENCE],
      });
    }
    ctx.state.outputs.federatedCredential = { id: fc.id, name: fc.name, issuer: fc.issuer, subject: fc.subject, audiences: [...fc.audiences] };
  },
});
