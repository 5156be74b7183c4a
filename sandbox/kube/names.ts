// Name validation as apimachinery's validation package does it (DNS-1123 subdomain / label), and
// the random suffix of generated names.
import { randomBytes } from "node:crypto";

const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Error message (without field) for an invalid DNS-1123 subdomain, or undefined when valid. */
export function dns1123Subdomain(name: string): string | undefined {
  if (name.length > 253) return "must be no more than 253 characters";
  if (!subdomain.test(name))
    return `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  return undefined;
}

export function dns1123Label(name: string): string | undefined {
  if (name.length > 63) return "must be no more than 63 characters";
  if (!label.test(name))
    return `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
  return undefined;
}

/** generateName's suffix: five characters from the alphabet apimachinery uses (no vowels, so no words). */
export const generatedNameSuffix = () => Array.from(randomBytes(5), (b) => "bcdfghjklmnpqrstvwxz2456789"[b % 27]).join("");
