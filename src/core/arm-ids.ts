// Parts of ARM resource IDs and scopes (/subscriptions/{s}/resourceGroups/{rg}/providers/…),
// matched case-insensitively as ARM matches them.

/** The subscription an ARM scope belongs to ("" for tenant-level scopes). */
export function subscriptionOf(scope: string): string {
  return /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? "";
}

/** Resource group named in an ARM ID (…/resourceGroups/<rg>/…), or "". */
export function resourceGroupOf(id: string): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? "";
}
