/**
 * Deterministic randomness: every seeded row is a pure function of (seed, stream, n), so a later
 * phase (the audit log) can recompute a customer or a contact exactly instead of keeping a million
 * of them in memory or reading them back.
 */

/** MurmurHash3's finalizer: a bijection on 32-bit integers that mixes every bit. */
export function fmix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform generator in [0, 1) (mulberry32). */
export type Rng = () => number;

function mulberry32(state: number): Rng {
  let a = state >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The generator of item `n` of `stream`. */
export function rngFor(seed: number, stream: number, n: number): Rng {
  return mulberry32(fmix32(fmix32(seed ^ Math.imul(stream, 0x9e3779b1)) ^ fmix32(n + 0x632be5ab)));
}

export const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)];

/** Picks by weight: `weights` need not add up to 1. */
export function weighted<T>(r: Rng, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, w]) => sum + w, 0);
  let x = r() * total;
  for (const [value, weight] of choices) {
    x -= weight;
    if (x < 0) return value;
  }
  return choices[choices.length - 1][0];
}

const hex8 = (word: number) => (word >>> 0).toString(16).padStart(8, '0');

/**
 * A version-4-shaped UUID that is a function of (seed, stream, n). The first word is a bijection
 * of n, so two items of one stream never share an id; the rest makes it look random.
 */
export function uuidFor(seed: number, stream: number, n: number): string {
  const salt = fmix32(seed ^ Math.imul(stream + 1, 0x27d4eb2f));
  const w0 = fmix32((n ^ salt) >>> 0);
  const w1 = fmix32(w0 ^ salt ^ 0x5bd1e995);
  const w2 = fmix32(w1 ^ salt ^ 0x1b873593);
  const w3 = fmix32(w2 ^ salt ^ 0xcc9e2d51);
  const h = hex8(w0) + hex8(w1) + hex8(w2) + hex8(w3);
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
