// The prompt facade: the only module that imports the prompt library, and the only one that knows
// its error names (a cancelled prompt leaves here as a CancelledError). Input resolution and the
// Ui talk to a `Prompter`, so unit tests answer with fakes and nothing else depends on @inquirer.
import type { Writable } from "node:stream";
import { CancelledError } from "../core/errors.js";
import type { Validator } from "../core/names.js";

export interface PickChoice<T = string> {
  /** What the list shows. */
  name: string;
  value: T;
  description?: string;
}

export interface Prompter {
  /** Free text; re-asked with the validator's reason until it passes. */
  input(opts: { message: string; default?: string; validate?: Validator }): Promise<string>;
  /** A pick-list. */
  select<T>(opts: { message: string; choices: PickChoice<T>[]; default?: T }): Promise<T>;
  confirm(opts: { message: string; default?: boolean }): Promise<boolean>;
  /** A pick-list filtered as the user types: `source` gives the choices for the text typed so far
   *  ("" before any key); only a listed choice can be picked, so the answer is valid by construction. */
  search<T>(opts: { message: string; source: (term: string) => PickChoice<T>[] | Promise<PickChoice<T>[]> }): Promise<T>;
}

/** Ctrl-C (or a closed terminal) at any prompt becomes a CancelledError: exit 130, nothing changed. */
function cancelled(e: unknown): never {
  const name = (e as { name?: string })?.name;
  if (name === "ExitPromptError" || name === "AbortPromptError" || name === "CancelPromptError") throw new CancelledError();
  throw e;
}

/** The real prompts (@inquirer/prompts), loaded on first use so non-interactive runs never load them. */
export function inquirerPrompter(output?: Writable): Prompter {
  const context = output ? { output } : undefined;
  const lib = () => import("@inquirer/prompts");
  return {
    async input({ message, default: def, validate }) {
      const { input } = await lib();
      const answer = await input(
        { message, default: def, required: true, validate: validate ? (v: string) => validate(v.trim()) ?? true : undefined },
        context,
      ).catch(cancelled);
      return answer.trim();
    },
    async select<T>({ message, choices, default: def }: { message: string; choices: PickChoice<T>[]; default?: T }) {
      const { select } = await lib();
      return select<T>({ message, choices, default: def, pageSize: 12 }, context).catch(cancelled);
    },
    async search<T>({ message, source }: { message: string; source: (term: string) => PickChoice<T>[] | Promise<PickChoice<T>[]> }) {
      const { search } = await lib();
      return search<T>({ message, source: async (term) => source((term ?? "").trim()), pageSize: 12 }, context).catch(cancelled);
    },
    async confirm({ message, default: def }) {
      const { confirm } = await lib();
      return confirm({ message, default: def }, context).catch(cancelled);
    },
  };
}
