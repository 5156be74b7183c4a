// `-o text|json|yaml|table`, as az spells it. json and yaml are the one versioned document a
// command builds (yaml is the same document, as `az -o yaml` renders az's JSON); table is az's
// `-o table`: the rows that matter as aligned columns, a header and a rule under it. Under any of
// the three, stdout holds only the output and human lines go to stderr.
import { Option } from "commander";

export const OUTPUT_FORMATS = ["text", "json", "yaml", "table"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** The -o option every command that prints data takes. */
export function outputOption(): Option {
  return new Option("-o, --output <format>", "output format: text, json, yaml or table").choices([...OUTPUT_FORMATS]).default("text");
}

/** Whether stdout is reserved for the output (json, yaml, table): progress and prompts go to stderr. */
export const isDataOutput = (format: string | undefined): boolean => format === "json" || format === "yaml" || format === "table";

/** One table row: column title → cell. Cells that are absent show empty. */
export type Row = Record<string, string | number | boolean | undefined>;

/** az's table: columns in first-seen order, each as wide as its widest cell, a rule of dashes. */
export function formatTable(rows: readonly Row[]): string {
  if (!rows.length) return "";
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (r: Row, c: string) => (r[c] === undefined ? "" : String(r[c]).replace(/\s*\n\s*/g, " "));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r, c).length)));
  const line = (cells: string[]) =>
    cells
      .map((s, i) => s.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(columns), line(widths.map((w) => "-".repeat(w))), ...rows.map((r) => line(columns.map((c) => cell(r, c))))].join("\n") + "\n";
}

/** The document as json or yaml text (yaml loaded only when asked for, to keep start-up lean). */
export async function renderDocument(doc: unknown, format: "json" | "yaml"): Promise<string> {
  if (format === "json") return `${JSON.stringify(doc, null, 2)}\n`;
  const { stringify } = await import("yaml");
  return stringify(doc, { lineWidth: 0 });
}

/**
 * Writes a command's output for -o json|yaml|table (text is the command's own business) and waits
 * until the stream has taken it (a large report must be out before main's process.exit).
 * `rows` picks the table's rows from the document.
 */
export async function writeData<D>(stream: NodeJS.WritableStream, format: string | undefined, doc: D, rows: (doc: D) => Row[]): Promise<void> {
  const text = format === "table" ? formatTable(rows(doc)) : await renderDocument(doc, format === "yaml" ? "yaml" : "json");
  await new Promise<void>((done) => stream.write(text, () => done()));
}
