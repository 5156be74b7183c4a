// STUB — replaced by the Microsoft.Authorization implementation.
import type { ArmRoute } from "./types.js";
export const authorizationRoutes: ArmRoute[] = [];
