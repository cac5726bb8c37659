/**
 * Applying learned BPE merges to one chunk, in time close to linear in its length.
 *
 * The rule: while some adjacent pair of symbols forms a token, merge the pair whose token was
 * learned first (the lowest id), the leftmost such pair on a tie. Rescanning every pair after
 * each merge costs O(n²) on a chunk of n symbols — seconds for a 20,000-letter run without
 * spaces (a minified file, a DNA string). Here the symbols are a linked list and the candidate
 * pairs wait in a priority queue ordered by (id, position): each merge takes the best pair,
 * joins its two symbols, and queues the (at most two) new pairs it makes with its neighbours.
 * A queued pair that no longer is the pair at its position is skipped when it comes up: symbols
 * only ever grow, so a pair that still spells the same token is the same pair. That is
 * O(n log n) in all, and merges exactly the pairs the rescan merges, in the same order.
 *
 * @module
 */

/**
 * Merge `symbols` (the ids of the base symbols of one chunk) by the rule above, where `ids`
 * gives each token's id and `tokens` each id's token; returns the ids of the final tokens.
 */
export function mergePairs(
  symbols: readonly number[],
  ids: ReadonlyMap<string, number>,
  tokens: readonly string[],
): number[] {
  const n = symbols.length;
  const token = Int32Array.from(symbols); // token[i]: the token that starts at symbol i
  const next = new Int32Array(n); // the following live symbol, or −1
  const prev = new Int32Array(n); // the preceding live symbol, or −1
  const pairId = new Int32Array(n); // the id the pair (i, next[i]) forms, or −1
  for (let i = 0; i < n; i++) (next[i] = i + 1 < n ? i + 1 : -1, prev[i] = i - 1);
  // What each pair of token ids forms (−1: nothing), looked up once per distinct pair.
  const formed = new Map<number, number>();
  const size = tokens.length;
  // A pair's key, id · n + position, orders by id, then position (exact while below 2^53).
  const queue = new MinHeap();
  const offer = (left: number) => {
    const right = next[left];
    let id = -1;
    if (right >= 0) {
      const pair = token[left] * size + token[right];
      id = formed.get(pair) ?? -2;
      if (id === -2) {
        id = ids.get(tokens[token[left]] + tokens[token[right]]) ?? -1;
        formed.set(pair, id);
      }
    }
    pairId[left] = id;
    if (id >= 0) queue.push(id * n + left);
  };
  for (let i = 0; i < n; i++) offer(i);
  while (queue.size > 0) {
    const key = queue.pop();
    const left = key % n;
    const id = (key - left) / n;
    // Stale if the pair at `left` has changed since (it would spell a longer token).
    if (pairId[left] !== id) continue;
    const right = next[left];
    token[left] = id;
    pairId[right] = -1; // merged away
    next[left] = next[right];
    if (next[left] >= 0) prev[next[left]] = left;
    if (prev[left] >= 0) offer(prev[left]);
    offer(left);
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]) out.push(token[i]); // symbol 0 is never merged away
  return out;
}

/** A binary min-heap of numbers. */
class MinHeap {
  #keys = new Float64Array(64);
  #size = 0;

  /** Numbers held. */
  get size(): number {
    return this.#size;
  }

  /** Add `key`. */
  push(key: number): void {
    if (this.#size === this.#keys.length) {
      const grown = new Float64Array(2 * this.#size);
      grown.set(this.#keys);
      this.#keys = grown;
    }
    const keys = this.#keys;
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= key) break;
      keys[i] = keys[parent];
      i = parent;
    }
    keys[i] = key;
  }

  /** Remove and return the smallest number. */
  pop(): number {
    const keys = this.#keys;
    const top = keys[0];
    const size = --this.#size;
    const last = keys[size];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && keys[child + 1] < keys[child]) child++;
      if (keys[child] >= last) break;
      keys[i] = keys[child];
      i = child;
    }
    keys[i] = last;
    return top;
  }
}
