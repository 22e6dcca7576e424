// Traffic splits: which arm of a model's split answers a request. Weighted, and sticky: a request
// key (the X-Soma-Key header, else the first row's id column value) is hashed with the model name
// into one of 10,000 buckets, and the arms own consecutive ranges of buckets in their listed
// order, sized by weight. The same key therefore lands on the same arm in every process, worker
// and restart; and when weights move (a rollout lists the new arm last and grows it), only
// buckets at the boundary change hands, so a key that moved to the new arm stays there. Requests
// without a key are assigned at random by weight.

export const BUCKETS = 10_000;

/** FNV-1a over the UTF-16 units of the string (32-bit): fast, stable, well spread for short keys. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The bucket of a key for a model, in [0, BUCKETS). */
export function bucketOf(model: string, key: string): number {
  return fnv1a(`${model}\u0000${key}`) % BUCKETS;
}

/** Index of the arm that takes this request (arms' weights > 0 somewhere; zero-weight arms never answer). */
export function chooseArm(model: string, weights: readonly number[], key: string | undefined): number {
  let total = 0;
  for (const w of weights) total += w;
  const point = key === undefined ? Math.random() * total : ((bucketOf(model, key) + 0.5) / BUCKETS) * total;
  let acc = 0;
  let last = 0;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! <= 0) continue;
    last = i;
    acc += weights[i]!;
    if (point < acc) return i;
  }
  return last;
}
