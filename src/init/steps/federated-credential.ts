// Step 5: the federated identity credential that lets the service account's token be exchanged
// for the identity's. Matched by (issuer, subject) - the pair Entra compares - never by name.
// It waits for the issuer (known after the cluster update) and the identity (known after its
// create); it runs against the credentials the plan listed, which are not listed again.
import { StepError } from "../../core/errors.js";
import type { FederatedCredentialInfo } from "../../core/ports.js";
import { MAX_FEDERATED_CREDENTIALS, TOKEN_AUDIENCE, defaultFederatedCredentialName, serviceAccountSubject } from "../../core/workload-identity.js";
import { defineStep, type StepContext } from "../step.js";
import { PENDING, identityId, identitySubscriptionOf, resourceGroupScope } from "./shared.js";

const audiencesOk = (fc: FederatedCredentialInfo) => fc.audiences.length === 1 && fc.audiences[0] === TOKEN_AUDIENCE;
const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Refuses what a create would break: the 20-credential limit, or a same-named credential for another issuer or subject. */
function checkCreate(ctx: StepContext, existing: FederatedCredentialInfo[], issuer: string | undefined, subject: string): void {
  const name = ctx.inputs.federatedCredential;
  if (existing.length >= MAX_FEDERATED_CREDENTIALS) {
    throw new StepError(
      "federatedCredential",
      `identity ${ctx.inputs.identity} already has ${existing.length} federated credentials, Azure's limit is ${MAX_FEDERATED_CREDENTIALS}`,
      "delete an unused one (az identity federated-credential delete) or use another --identity",
    );
  }
  // With the issuer still unknown, only a different subject is sure to clash.
  const clash = existing.find((fc) => sameName(fc.name, name) && (fc.subject !== subject || (issuer !== undefined && fc.issuer !== issuer)));
  if (clash) {
    throw new StepError(
      "federatedCredential",
      `identity ${ctx.inputs.identity} already has a federated credential named "${name}" for issuer ${clash.issuer} and subject ${clash.subject}`,
      "choose another --federated-credential name (that one serves a different issuer or service account)",
    );
  }
}

export const federatedCredentialStep = defineStep({
  name: "federatedCredential",
  title: "Federated identity credential",

  async plan(ctx) {
    const { identityResourceGroup, identity, namespace, serviceAccount } = ctx.inputs;
    const subscription = identitySubscriptionOf(ctx.inputs);
    const subject = serviceAccountSubject(namespace, serviceAccount);
    const [cluster, id, existing] = await Promise.all([ctx.seen.cluster(), ctx.seen.identity(), ctx.seen.federatedCredentials()]);
    const issuer = cluster.issuerUrl;
    const match = issuer ? existing.find((fc) => fc.issuer === issuer && fc.subject === subject) : undefined;
    const details = { issuer: issuer ?? PENDING, subject, audience: TOKEN_AUDIENCE };
    if (match && audiencesOk(match)) {
      return {
        change: "none",
        summary: `federated credential ${match.name} already trusts ${subject}`,
        details: { name: match.name, ...details },
        ops: [],
        record: (out) => void (out.federatedCredential = { ...match, audiences: [...match.audiences] }),
      };
    }
    // aks-wi's own credential for this binding (by its deterministic name) whose issuer or subject
    // was changed since: repaired in place rather than refused as someone else's.
    const own =
      !match && sameName(ctx.inputs.federatedCredential, defaultFederatedCredentialName(namespace, serviceAccount))
        ? existing.find((fc) => sameName(fc.name, ctx.inputs.federatedCredential))
        : undefined;
    if (!match && !own) checkCreate(ctx, existing, issuer, subject);
    const fix = match ?? own;
    const name = fix?.name ?? ctx.inputs.federatedCredential;
    const target = `${identityId(ctx.inputs)}/federatedIdentityCredentials/${name}`;
    const op = {
      id: "federatedCredential",
      step: "federatedCredential" as const,
      action: fix ? ("update" as const) : ("create" as const),
      target,
      summary: own
        ? `repair federated credential ${name}: trust ${subject} from the cluster's issuer`
        : match
          ? `set the audience of federated credential ${name} to ${TOKEN_AUDIENCE}`
          : `create federated credential ${name} for ${subject}`,
      body: { properties: { issuer: issuer ?? PENDING, subject, audiences: [TOKEN_AUDIENCE] } },
      after: ["identity", "issuer", "cluster"],
      needs: [
        {
          plane: "arm" as const,
          action: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
          scope: id ? id.id : resourceGroupScope(subscription, identityResourceGroup),
        },
      ],
      async run(run: StepContext) {
        const out = run.state.outputs;
        const iss = out.issuerUrl ?? issuer;
        if (!iss) throw new StepError("federatedCredential", "the cluster has no OIDC issuer URL", "re-run aks-wi init so the cluster step enables it");
        if (!out.identity && !id)
          throw new StepError("federatedCredential", `identity ${identity} not found`, "re-run aks-wi init so the identity step creates it");
        // The issuer became known after the plan: a credential listed then may already be this one.
        const already = existing.find((fc) => fc.issuer === iss && fc.subject === subject);
        if (already && audiencesOk(already)) {
          out.federatedCredential = { ...already, audiences: [...already.audiences] };
          return;
        }
        if (!already && !own) checkCreate(run, existing, iss, subject);
        const fc = await run.azure.putFederatedCredential(subscription, identityResourceGroup, identity, {
          name: already?.name ?? name,
          issuer: iss,
          subject,
          audiences: [TOKEN_AUDIENCE],
        });
        out.federatedCredential = { id: fc.id, name: fc.name, issuer: fc.issuer, subject: fc.subject, audiences: [...fc.audiences] };
      },
    };
    if (own) {
      const drift = [
        own.issuer !== (issuer ?? own.issuer) && `credential ${name}: issuer is ${own.issuer} (want ${issuer})`,
        own.subject !== subject && `credential ${name}: subject is ${own.subject} (want ${subject})`,
        !audiencesOk(own) && `credential ${name}: audiences are ${JSON.stringify(own.audiences)} (want ["${TOKEN_AUDIENCE}"])`,
      ].filter((x): x is string => !!x);
      const now = { "current issuer": own.issuer, "current subject": own.subject };
      return { change: "update", drift, summary: op.summary, details: { name, ...details, ...now }, ops: [op] };
    }
    if (match) {
      const drift = [`credential ${name}: audiences are ${JSON.stringify(match.audiences)} (want ["${TOKEN_AUDIENCE}"])`];
      return { change: "update", drift, summary: op.summary, details: { name, ...details, "current audiences": match.audiences.join(", ") }, ops: [op] };
    }
    const drift = [
      issuer
        ? `no federated credential on ${identity} trusts issuer ${issuer} for subject ${subject}`
        : `no federated credential yet (the cluster has no issuer)`,
    ];
    return { change: "create", drift, summary: op.summary, details: { name, ...details }, ops: [op] };
  },
});
