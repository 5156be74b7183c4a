// The wizard's answers, kept when a run is cancelled (Ctrl-C, exit 130) or fails, so the next run
// offers them as its defaults instead of asking all 15 questions from scratch.
//
// Where: ${XDG_STATE_HOME:-~/.local/state}/aks-wi/answers.json, one entry per cloud. The XDG base
// directory spec names the state dir for exactly this ("actions history … that should persist
// between restarts" but is not config, and not worth backing up). Not the working directory's
// .aks-wi/: that is keyed by cluster, which the first answers choose, and answers typed in one
// directory are just as useful in another. Not the init state file either: that one records
// what exists on a cluster and is only written once a plan is applied.
//
// What: the names answered at the prompts (subscription, group, cluster, identity, namespace,
// service account, roles and scopes), nothing secret (checked as the state file is), mode 0600 in
// a 0700 directory, written whole to a temp file then renamed, so a kill mid-write leaves the old
// file. Only interactive runs write it, after each answer; a successful run removes its entry.
import { readFile, unlink } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { writeFileAtomic } from "../core/files.js";
import { assertNoSecrets, type SavedInputs } from "./state.js";

export type Answers = Partial<SavedInputs>;

interface AnswersFile {
  version: 1;
  /** By cloud profile name ("AzureCloud", "sandbox"): one cloud's names mean nothing in another. */
  clouds: Record<string, { savedAt: string; answers: Answers }>;
}

/** The file, or undefined when the environment names no home to keep it in. */
export function keptAnswersPath(env: NodeJS.ProcessEnv): string | undefined {
  // The spec says a relative XDG_STATE_HOME is invalid and must be ignored.
  const base = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : env.HOME ? join(env.HOME, ".local", "state") : undefined;
  return base ? join(base, "aks-wi", "answers.json") : undefined;
}

export interface KeptAnswers {
  /** What the last unfinished run answered (empty when nothing was kept). */
  readonly answers: Answers;
  /** Records the answers given so far in this run (replacing the kept ones). */
  keep(answers: Answers): Promise<void>;
  /** The run succeeded: its answers are in the state file now, nothing to offer next time. */
  clear(): Promise<void>;
}

async function readFileOf(path: string): Promise<AnswersFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as AnswersFile;
    return parsed?.version === 1 && parsed.clouds && typeof parsed.clouds === "object" ? parsed : undefined;
  } catch {
    return undefined; // missing or unreadable: nothing kept (they are only defaults)
  }
}

const writeAtomic = (path: string, file: AnswersFile) =>
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, "answers file", "set XDG_STATE_HOME to a writable directory");

/** The kept answers of one cloud. A file that cannot be written costs only the convenience: `onError` hears it once. */
export async function openKeptAnswers(path: string | undefined, cloud: string, onError?: (line: string) => void): Promise<KeptAnswers> {
  const file = path ? await readFileOf(path) : undefined;
  let warned = false;
  const fail = (e: unknown) => {
    if (!warned) onError?.(`answers not kept: ${(e as Error).message}`);
    warned = true;
  };
  return {
    answers: file?.clouds[cloud]?.answers ?? {},
    async keep(answers) {
      if (!path) return;
      assertNoSecrets(answers, "answers"); // a bug, never user input: it fails the run
      const now = (await readFileOf(path)) ?? { version: 1, clouds: {} };
      now.clouds[cloud] = { savedAt: new Date().toISOString(), answers };
      await writeAtomic(path, now).catch(fail);
    },
    async clear() {
      if (!path) return;
      const now = await readFileOf(path);
      if (!now?.clouds[cloud]) return;
      delete now.clouds[cloud];
      if (Object.keys(now.clouds).length) await writeAtomic(path, now).catch(fail);
      else await unlink(path).catch(() => {});
    },
  };
}
