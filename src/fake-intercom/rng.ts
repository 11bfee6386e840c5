/** Small deterministic PRNG helpers (no external dependencies). */

/** 32-bit FNV-1a over the string forms of the parts, followed by a murmur3 finalizer. */
export function hash32(...parts: Array<string | number>): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    const s = String(p);
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f; // separator
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** murmur3 fmix32 finalizer. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** mulberry32 generator. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    if (max <= min) return min;
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new Error('pick from empty array');
    return arr[Math.floor(this.next() * arr.length)] as T;
  }
  /** k distinct integers from [0, n), in random order. */
  sample(n: number, k: number): number[] {
    const want = Math.min(k, n);
    if (want <= 0) return [];
    if (want > n / 2) {
      const all = Array.from({ length: n }, (_, i) => i);
      for (let i = 0; i < want; i++) {
        const j = i + Math.floor(this.next() * (n - i));
        const tmp = all[i] as number;
        all[i] = all[j] as number;
        all[j] = tmp;
      }
      return all.slice(0, want);
    }
    const seen = new Set<number>();
    const out: number[] = [];
    while (out.length < want) {
      const v = Math.floor(this.next() * n);
      if (!seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
    }
    return out;
  }
  hex(len: number): string {
    let s = '';
    while (s.length < len) s += hex8(Math.floor(this.next() * 4294967296));
    return s.slice(0, len);
  }
  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

export function rngFor(...parts: Array<string | number>): Rng {
  return new Rng(hash32(...parts));
}
