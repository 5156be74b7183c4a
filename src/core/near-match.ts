// Near misses of a typed name: how many single-character edits apart two strings are, and the
// candidates close enough to a mistyped one to offer as "did you mean …?" (doctor's near-miss
// annotation keys, the wizard's role names).

/** Edits (insert, delete, substitute) between two strings (Levenshtein distance). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The candidates at most `maxEdits` edits from `term` (ignoring case), nearest first. */
export function nearest(term: string, candidates: readonly string[], maxEdits: number, limit = 3): string[] {
  const t = term.trim().toLowerCase();
  return candidates
    .map((c) => ({ c, d: editDistance(t, c.toLowerCase()) }))
    .filter((x) => x.d <= maxEdits)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, limit)
    .map((x) => x.c);
}
