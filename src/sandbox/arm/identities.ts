// STUB — replaced by the Microsoft.ManagedIdentity implementation.
import type { ArmRoute } from "./types.js";
export const identityRoutes: ArmRoute[] = [];
