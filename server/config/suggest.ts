// "Did you mean ...?" for misspelt sections, keys and environment variables.

/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  let previous = Array.from({ length: right.length + 1 }, (_, i) => i);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      const deletion = (previous[j] ?? 0) + 1;
      const insertion = (current[j - 1] ?? 0) + 1;
      current.push(Math.min(substitution, deletion, insertion));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/**
 * The candidate closest to `word`, if close enough to be a plausible typo:
 * at most 2 edits (a third of the word for long names), or a prefix.
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const allowed = Math.max(2, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const candidate of candidates) {
    // "warning" for "warn": a prefix is as good a hint as a small typo.
    const lowerWord = word.toLowerCase();
    const lowerCandidate = candidate.toLowerCase();
    const isPrefix = Math.min(word.length, candidate.length) >= 3
      && (lowerWord.startsWith(lowerCandidate) || lowerCandidate.startsWith(lowerWord));
    const distance = isPrefix ? Math.min(allowed, editDistance(word, candidate)) : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** " (did you mean X?)" or "". */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestMatch(word, candidates);
  return match === undefined ? '' : ` (did you mean ${match}?)`;
}
