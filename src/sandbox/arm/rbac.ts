// STUB — replaced by the authorization implementation (built-in role definitions + assignment lookup).
import type { World } from "../world.js";

/** True when one of the principal's role assignments at `scope` or above grants `action`
 *  (wildcards as Azure: "*", "*\/read", "Microsoft.X/*"; notActions subtract). */
export function isPermitted(_world: World, _principalId: string, _scope: string, _action: string): boolean {
  return true;
}
