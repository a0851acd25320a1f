/** "Did you mean …?": the closest known name to a misspelt one, by edit distance. */

/** Levenshtein distance (insertions, deletions and substitutions each cost 1). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Whether every character of `short` appears in `long` in order ("bf16" in "bfloat16"). */
function isSubsequence(short: string, long: string): boolean {
  let at = 0;
  for (const char of long) if (char === short[at]) at++;
  return at === short.length;
}

/**
 * The candidate closest to `name` (case-insensitive), if it is a plausible typo or abbreviation:
 * a candidate that contains the name's letters in order and is at most twice as long (closest
 * first: "bf16" -> "bfloat16", "flsh" -> "flash"), else one within 3 edits and fewer than half the
 * name's length. Ties go to the earlier candidate.
 */
export function nearestName(name: string, candidates: Iterable<string>): string | null {
  const wanted = name.toLowerCase();
  let best: { candidate: string; abbreviation: boolean; distance: number } | null = null;
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    const abbreviation = lower.length <= 2 * wanted.length && isSubsequence(wanted, lower);
    const distance = editDistance(wanted, lower);
    const better = best === null || (abbreviation && !best.abbreviation) || (abbreviation === best.abbreviation && distance < best.distance);
    if (better) best = { candidate, abbreviation, distance };
  }
  if (best === null) return null;
  return best.abbreviation || (best.distance <= 3 && best.distance < wanted.length / 2) ? best.candidate : null;
}
