/**
 * AssemblyScript (compiled to WebAssembly by `../ndjson-scanner-build.ts`): the scanner behind the
 * fast path of `NdjsonReader` (`../ndjson-reader.ts`). One call reads a whole block of lines that JS
 * put into this module's memory and writes one fixed-size record per line, which JS reads through
 * typed arrays: no call between JS and wasm per line.
 *
 * A line is read here only when it has the exact layout the JS fast path (`fastPoint`) accepts,
 *   {"metric":NAME,"type":"Point","data":{"time":T,"value":V,"tags":{…}[,"metadata":…]}}
 * and it passes every check that path makes, byte for byte. Everything else is handed back whole
 * (`KIND_JS`) and JS reads it as before, so the two paths cannot disagree on what a line means:
 * - names and tag sets get ids from hash tables whose keys are the raw bytes, compared in full; an
 *   id seen for the first time is flagged so that JS makes its string (and parses the tags) once;
 * - the time's `YYYY-MM-DDTHH:MM:SS` and zone are converted by JS (`env.parseSecond`, which runs
 *   `Date.parse` with the JS path's validation) once per second of data; the fraction is added here
 *   with the same float operations as the JS path;
 * - a value is converted here only where the result is exact by construction: a plain decimal of at
 *   most 15 significant digits and at most 22 fraction digits is mantissa / 10^k, both exact doubles,
 *   so one IEEE division rounds it correctly (Clinger, "How to read floating point numbers
 *   accurately", PLDI 1990); other values are flagged for JS's `Number()`.
 * The common line (a known metric, the tags of the line before) is read in one pass, its end found
 * right after those tags (`quick`); every other line after a search for its newline (`line`), with the
 * same checks. Measured on the bench's k6 output: about 120 ns a line, 2.5 GB/s on one core.
 *
 * Memory: the input area, the records and the tables are bump-allocated above the static data and
 * never freed (a scanner lives for one reader). Keys are capped (`KEY_BYTES_LIMIT`); past the cap,
 * lines with new keys go to JS, whose caches have no cap.
 *
 * Keep the record layout and the flags in step with `../ndjson-scanner.ts`.
 */

// --- records -----------------------------------------------------------------------------------

/** Bytes per record: 12 i32 fields, then the time and the value as f64. */
const RECORD_BYTES: usize = 64;
// i32 fields (byte offsets)
const R_FLAGS: usize = 0;
const R_LINE_START: usize = 4;
const R_LINE_END: usize = 8; // the newline (or the end of the data): CR not removed
const R_PAIR: usize = 12;
const R_METRIC: usize = 16;
const R_TAGS: usize = 20;
const R_NAME_START: usize = 24;
const R_NAME_END: usize = 28;
const R_KEY_START: usize = 32;
const R_KEY_END: usize = 36;
const R_VALUE_START: usize = 40;
const R_VALUE_END: usize = 44;
// f64 fields
const R_TIME: usize = 48;
const R_VALUE: usize = 56;

/** The line is JS's to read (another layout, a failed check, a blank line, a full table). */
const KIND_JS: u32 = 1;
/** The line is the unterminated end of the data (`scan` with `final`). */
const FLAG_LAST: u32 = 2;
const FLAG_NEW_METRIC: u32 = 4;
const FLAG_NEW_TAGS: u32 = 8;
/** The value is not a plain decimal this module converts exactly: JS runs `Number()` on its bytes. */
const FLAG_VALUE_BY_JS: u32 = 16;

/** Key bytes the tables hold at most; past it, new names and tag sets go to JS. */
const KEY_BYTES_LIMIT: usize = 64 << 20;
/** Ids per table at most (tag sets of a run with ids in URLs can be many). */
const ID_LIMIT: u32 = 1 << 24;

@external("env", "parseSecond")
/** Unix ms of the `YYYY-MM-DDTHH:MM:SS` at `start` and the zone in [`zone`, `end`); NaN if invalid. */
declare function parseSecond(start: usize, zone: usize, end: usize): f64;

// --- memory ------------------------------------------------------------------------------------

let heapTop: usize = 0;
let input: usize = 0;
let inputCapacity: usize = 0;
let records: usize = 0;
let recordCapacity: u32 = 0;
let scanned: usize = 0;
let keyBytes: usize = 0;

/**
 * `size` bytes, 16-aligned, with 16 readable bytes after them: word and vector loads read up to 15
 * bytes past what they use (the extra bytes are masked off or ignored).
 */
function alloc(size: usize): usize {
  if (heapTop == 0) heapTop = (__heap_base + 15) & ~15;
  const at = (heapTop + 15) & ~15;
  const end = at + size + 16;
  const have = (<usize>memory.size()) << 16;
  if (end > have && memory.grow(<i32>((end - have + 0xffff) >> 16)) < 0) unreachable();
  heapTop = at + size;
  return at;
}

/** Sets up the records (`count` of them) and the tables; returns the records' address. */
export function init(count: u32): usize {
  recordCapacity = count;
  records = alloc(<usize>count * RECORD_BYTES);
  tableInit(METRICS, 64);
  metricInfo = alloc(<usize>NEXT_LIMIT << 4);
  memory.fill(metricInfo, 0, <usize>NEXT_LIMIT << 4);
  tableInit(TAGS, 1024);
  pairsInit(1024);
  return records;
}

/**
 * The input area, at least `capacity` bytes: a larger one replaces it when needed, keeping its first
 * `keep` bytes (an unfinished line). Returns its address.
 */
export function reserve(capacity: usize, keep: usize): usize {
  if (capacity > inputCapacity) {
    const next = alloc(capacity);
    if (keep > 0) memory.copy(next, input, keep);
    input = next;
    inputCapacity = capacity;
  }
  return input;
}

/** Where the last `scan` stopped: the start of the first line it did not read. */
export function scannedTo(): usize {
  return scanned;
}

// --- hash tables -------------------------------------------------------------------------------

// A table of byte strings: a descriptor (slots, mask, count) and slots of 16 bytes:
// hash, id + 1 (0 = empty), key address, key length (bit 31: the key ends where its tag object does).
const METRICS: usize = memory.data(16);
const TAGS: usize = memory.data(16);
const EXACT: u32 = 0x8000_0000;

function tableInit(table: usize, slots: u32): void {
  store<usize>(table, alloc(<usize>slots << 4));
  memory.fill(load<usize>(table), 0, <usize>slots << 4);
  store<u32>(table, slots - 1, 4);
  store<u32>(table, 0, 8);
}

/** The slot of the key at `key` (`n` bytes, hash `h`), or 0 when it is absent. */
function tableFind(table: usize, key: usize, n: usize, h: u32): usize {
  const slots = load<usize>(table);
  const mask = load<u32>(table, 4);
  let i = h & mask;
  let slot = slots + (<usize>i << 4);
  while (load<u32>(slot, 4) != 0) {
    if (load<u32>(slot) == h && (load<u32>(slot, 12) & ~EXACT) == <u32>n && same(load<usize>(slot, 8), key, n)) return slot;
    i = (i + 1) & mask;
    slot = slots + (<usize>i << 4);
  }
  return 0;
}

@inline function slotId(slot: usize): i32 {
  return <i32>load<u32>(slot, 4) - 1;
}

@inline function slotKey(slot: usize): usize {
  return load<usize>(slot, 8);
}

@inline function slotExact(slot: usize): bool {
  return (load<u32>(slot, 12) & EXACT) != 0;
}

/**
 * Adds a key known to be absent (copied into the table's memory); returns its slot, or 0 when the
 * table is full (`KEY_BYTES_LIMIT`, `ID_LIMIT`).
 */
function tableAdd(table: usize, key: usize, n: usize, h: u32, exact: bool): usize {
  const count = load<u32>(table, 8);
  if (count >= ID_LIMIT || keyBytes + n > KEY_BYTES_LIMIT) return 0;
  if ((count + 1) << 1 > load<u32>(table, 4) + 1) tableGrow(table);
  const copy = alloc(n);
  memory.copy(copy, key, n);
  keyBytes += n;
  const slots = load<usize>(table);
  const mask = load<u32>(table, 4);
  let i = h & mask;
  while (load<u32>(slots + (<usize>i << 4), 4) != 0) i = (i + 1) & mask;
  const slot = slots + (<usize>i << 4);
  store<u32>(slot, h);
  store<u32>(slot, count + 1, 4);
  store<usize>(slot, copy, 8);
  store<u32>(slot, <u32>n | (exact ? EXACT : 0), 12);
  store<u32>(table, count + 1, 8);
  return slot;
}

function tableGrow(table: usize): void {
  const old = load<usize>(table);
  const oldSlots = load<u32>(table, 4) + 1;
  const slots = oldSlots << 1;
  const next = alloc(<usize>slots << 4);
  memory.fill(next, 0, <usize>slots << 4);
  const mask = slots - 1;
  for (let k: u32 = 0; k < oldSlots; k++) {
    const from = old + (<usize>k << 4);
    if (load<u32>(from, 4) == 0) continue;
    let i = load<u32>(from) & mask;
    while (load<u32>(next + (<usize>i << 4), 4) != 0) i = (i + 1) & mask;
    memory.copy(next + (<usize>i << 4), from, 16);
  }
  store<usize>(table, next);
  store<u32>(table, mask, 4);
}

// Pairs (metric id, tag set id) → pair id: descriptor (slots, mask, count), slots of 16 bytes:
// the key (metric << 32 | tags), pair id + 1 (0 = empty), padding.
const PAIRS: usize = memory.data(16);

function pairsInit(slots: u32): void {
  store<usize>(PAIRS, alloc(<usize>slots << 4));
  memory.fill(load<usize>(PAIRS), 0, <usize>slots << 4);
  store<u32>(PAIRS, slots - 1, 4);
  store<u32>(PAIRS, 0, 8);
}

@inline function pairHash(key: u64): u32 {
  return <u32>((key * 0x9E37_79B9_7F4A_7C15) >> 32);
}

/** The pair id of `key`, added when new; -1 when the table is full. */
function pairOf(key: u64): i32 {
  let slots = load<usize>(PAIRS);
  let mask = load<u32>(PAIRS, 4);
  let i = pairHash(key) & mask;
  for (;;) {
    const slot = slots + (<usize>i << 4);
    const id = load<u32>(slot, 8);
    if (id == 0) break;
    if (load<u64>(slot) == key) return <i32>id - 1;
    i = (i + 1) & mask;
  }
  const count = load<u32>(PAIRS, 8);
  if (count >= ID_LIMIT) return -1;
  if ((count + 1) << 1 > mask + 1) {
    const oldSlots = mask + 1;
    const next = alloc(<usize>oldSlots << 5);
    memory.fill(next, 0, <usize>oldSlots << 5);
    const nextMask = (oldSlots << 1) - 1;
    for (let k: u32 = 0; k < oldSlots; k++) {
      const from = slots + (<usize>k << 4);
      if (load<u32>(from, 8) == 0) continue;
      let j = pairHash(load<u64>(from)) & nextMask;
      while (load<u32>(next + (<usize>j << 4), 8) != 0) j = (j + 1) & nextMask;
      memory.copy(next + (<usize>j << 4), from, 16);
    }
    store<usize>(PAIRS, next);
    store<u32>(PAIRS, nextMask, 4);
    slots = next;
    mask = nextMask;
    i = pairHash(key) & mask;
    while (load<u32>(slots + (<usize>i << 4), 8) != 0) i = (i + 1) & mask;
  }
  const slot = slots + (<usize>i << 4);
  store<u64>(slot, key);
  store<u32>(slot, count + 1, 8);
  store<u32>(PAIRS, count + 1, 8);
  return <i32>count;
}

/** A 32-bit hash of `n` bytes at `p`, eight at a time. */
function hashBytes(p: usize, n: usize): u32 {
  let h: u64 = <u64>n * 0x9E37_79B9_7F4A_7C15;
  let i: usize = 0;
  while (i + 8 <= n) {
    h = (h ^ load<u64>(p + i)) * 0xBF58_476D_1CE4_E5B9;
    h ^= h >> 31;
    i += 8;
  }
  if (i < n) {
    h = (h ^ (load<u64>(p + i) & lowBytes(n - i))) * 0xBF58_476D_1CE4_E5B9;
    h ^= h >> 31;
  }
  return <u32>(h ^ (h >> 32));
}

/** A mask of the low `n` bytes of a word, n = 1…7. */
@inline function lowBytes(n: usize): u64 {
  const bits = <u64>n << 3;
  return (<u64>1 << bits) - 1;
}

/** Whether `n` bytes at `a` and `b` are equal. */
function same(a: usize, b: usize, n: usize): bool {
  if (n < 16) {
    if (n >= 8) return load<u64>(a) == load<u64>(b) && load<u64>(a + n - 8) == load<u64>(b + n - 8);
    if (n == 0) return true;
    return ((load<u64>(a) ^ load<u64>(b)) & lowBytes(n)) == 0;
  }
  // 64 bytes at a time while they last, then 16, the last 16 overlapping the ones before.
  let i: usize = 0;
  while (i + 64 <= n) {
    const d = v128.or(
      v128.or(v128.xor(v128.load(a + i), v128.load(b + i)), v128.xor(v128.load(a + i, 16), v128.load(b + i, 16))),
      v128.or(v128.xor(v128.load(a + i, 32), v128.load(b + i, 32)), v128.xor(v128.load(a + i, 48), v128.load(b + i, 48))),
    );
    if (v128.any_true(d)) return false;
    i += 64;
  }
  while (i + 16 < n) {
    if (v128.any_true(v128.xor(v128.load(a + i), v128.load(b + i)))) return false;
    i += 16;
  }
  return !v128.any_true(v128.xor(v128.load(a + n - 16), v128.load(b + n - 16)));
}

// --- searches ----------------------------------------------------------------------------------

const QUOTE: u8 = 0x22;
const BACKSLASH: u8 = 0x5c;
const COMMA: u8 = 0x2c;
const NEWLINE: u8 = 0x0a;

/** The first `byte` in [p, end), or `end`. */
@inline function find(p: usize, end: usize, byte: u8): usize {
  const needle = i8x16.splat(byte);
  while (p < end) {
    const bits = i8x16.bitmask(i8x16.eq(v128.load(p), needle));
    if (bits != 0) return min(p + <usize>ctz(bits), end);
    p += 16;
  }
  return end;
}

/** The first `a` in [p, end), or 0 when there is none or a `b` or `c` comes first. */
@inline function find3(p: usize, end: usize, a: u8, b: u8, c: u8): usize {
  const first = i8x16.splat(a);
  const second = i8x16.splat(b);
  const third = i8x16.splat(c);
  while (p < end) {
    const v = v128.load(p);
    const bits = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, first), i8x16.eq(v, second)), i8x16.eq(v, third)));
    if (bits != 0) {
      const at = p + <usize>ctz(bits);
      return at < end && load<u8>(at) == a ? at : 0;
    }
    p += 16;
  }
  return 0;
}

/** The first `a` in [p, end), or `end` when there is none or a `b` comes first. */
@inline function find2(p: usize, end: usize, a: u8, b: u8): usize {
  const first = i8x16.splat(a);
  const second = i8x16.splat(b);
  while (p < end) {
    const v = v128.load(p);
    const bits = i8x16.bitmask(v128.or(i8x16.eq(v, first), i8x16.eq(v, second)));
    if (bits != 0) {
      const at = p + <usize>ctz(bits);
      return at < end && load<u8>(at) == a ? at : end;
    }
    p += 16;
  }
  return end;
}

// --- the time ----------------------------------------------------------------------------------

/** ns per unit of the last of n fraction digits, n = 0…9. */
const NS_SCALE: usize = memory.data<u32>([1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1000, 100, 10, 1]);

// The `YYYY-MM-DDTHH:MM:SS` (19 bytes) and zone (1 or 6 bytes) of the previous conversion, and its ms.
const SECOND: usize = memory.data(32);
let secondZoneLength: usize = 0;
let secondMs: f64 = NaN;

/** Unix ms of the time in [start, end) (the JS path's `parseTime`), NaN when JS must read the line. */
function parseTime(start: usize, end: usize): f64 {
  if (end - start < 20) return NaN;
  let pos = start + 19;
  let fraction: u32 = 0;
  if (load<u8>(pos) == 0x2e) {
    // `.`: up to 9 digits, in ns (the JS path stops at a non-digit and leaves it to the zone).
    pos += 1;
    const first = pos;
    const last = min(end, pos + 9);
    const eight = load<u64>(pos);
    const ninth = <u32>load<u8>(pos, 8) - 48;
    if (last == pos + 9 && allDigits(eight) && ninth <= 9) {
      // Nine digits (k6's usual): eight at once.
      fraction = eightDigits(eight) * 10 + ninth;
      pos += 9;
    } else {
      while (pos < last) {
        const digit = <u32>load<u8>(pos) - 48;
        if (digit > 9) break;
        fraction = fraction * 10 + digit;
        pos += 1;
      }
      fraction *= load<u32>(NS_SCALE + ((pos - first) << 2));
    }
  }
  const zoneLength = end - pos;
  // Only `Z` and `±hh:mm` can be valid (the JS path's zone pattern).
  if (zoneLength != 1 && zoneLength != 6) return NaN;
  const zoneMask: u64 = zoneLength == 1 ? 0xff : 0xffff_ffff_ffff;
  if (
    zoneLength != secondZoneLength ||
    load<u64>(start) != load<u64>(SECOND) ||
    load<u64>(start, 8) != load<u64>(SECOND, 8) ||
    load<u32>(start, 15) != load<u32>(SECOND, 15) ||
    (load<u64>(pos) & zoneMask) != load<u64>(SECOND, 24)
  ) {
    const ms = parseSecond(start, pos, end);
    if (isNaN(ms)) return NaN;
    memory.copy(SECOND, start, 19);
    store<u64>(SECOND, load<u64>(pos) & zoneMask, 24);
    secondZoneLength = zoneLength;
    secondMs = ms;
  }
  // µs precision, as `Math.round(fraction / 1000) / 1000` (fraction / 1000 is never within an ulp of
  // a half other than an exact one, so integer rounding of the half up agrees with Math.round).
  return secondMs + <f64>((fraction + 500) / 1000) / 1000;
}

/** Whether the 8 bytes of `x` are all ASCII digits. */
@inline function allDigits(x: u64): bool {
  return (x & 0xf0f0_f0f0_f0f0_f0f0) == 0x3030_3030_3030_3030 && ((x + 0x0606_0606_0606_0606) & 0xf0f0_f0f0_f0f0_f0f0) == 0x3030_3030_3030_3030;
}

/** The number written by 8 ASCII digits (the first in the lowest byte), by pairs, quads, then all. */
@inline function eightDigits(x: u64): u32 {
  let v = x - 0x3030_3030_3030_3030;
  v = (v * 10 + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
  v = (v * 100 + (v >> 16)) & 0x0000_ffff_0000_ffff;
  return <u32>((v * 10000 + (v >> 32)) & 0xffff_ffff);
}

// --- the value ---------------------------------------------------------------------------------

const POW10: usize = memory.data<f64>([1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22]);
let valueExact = false;

/**
 * The decimal in [start, end) when it is `-?digits[.digits]` (either side may be empty, not both)
 * with at most 15 significant digits, in at most 20 bytes; else `valueExact` is false. These are
 * exactly the strings on which `Number()` is mantissa / 10^k, correctly rounded (k ≤ 19 here).
 */
function parseValue(start: usize, end: usize): f64 {
  valueExact = false;
  // 20 bytes hold at most 19 digits, whose mantissa a u64 holds.
  if (end - start > 20) return NaN;
  let pos = start;
  const negative = pos < end && load<u8>(pos) == 0x2d;
  if (negative) pos += 1;
  let mantissa: u64 = 0;
  const first = pos;
  while (pos < end) {
    const digit = <u32>load<u8>(pos) - 48;
    if (digit > 9) break;
    mantissa = mantissa * 10 + digit;
    pos += 1;
  }
  let digits = pos - first;
  let fractionDigits: usize = 0;
  if (pos < end && load<u8>(pos) == 0x2e) {
    pos += 1;
    const dot = pos;
    while (pos < end) {
      const digit = <u32>load<u8>(pos) - 48;
      if (digit > 9) break;
      mantissa = mantissa * 10 + digit;
      pos += 1;
    }
    fractionDigits = pos - dot;
    digits += fractionDigits;
  }
  // The mantissa has as many digits as the number has significant ones: under 10^15, at most 15.
  valueExact = pos == end && digits > 0 && mantissa < 1_000_000_000_000_000;
  if (!valueExact) return NaN;
  const value = <f64>mantissa / load<f64>(POW10 + (fractionDigits << 3));
  return negative ? -value : value;
}

// --- tags --------------------------------------------------------------------------------------

/**
 * The end of the tag object at `start` (`null`, or `{` to the first `}` outside a string), or 0:
 * the JS path's `endOfTags`, bounded by the line's `end`.
 */
function endOfTags(start: usize, end: usize): usize {
  if (start + 4 <= end && load<u32>(start) == 0x6c6c_756e) return start + 4; // "null"
  if (load<u8>(start) != 0x7b) return 0;
  let pos = start + 1;
  while (pos < end) {
    const c = load<u8>(pos);
    if (c == 0x7d) return pos + 1;
    if (c == 0x22) {
      let close = pos + 1;
      for (;;) {
        while (close < end && load<u8>(close) != 0x22) close += 1;
        if (close >= end) return 0;
        if (!escaped(close)) break;
        close += 1;
      }
      pos = close + 1;
    } else {
      pos += 1;
    }
  }
  return 0;
}

/** Whether the quote at `at` follows an odd number of backslashes. */
function escaped(at: usize): bool {
  let backslashes: usize = 0;
  while (load<u8>(at - 1 - backslashes) == 0x5c) backslashes += 1;
  return (backslashes & 1) == 1;
}

/** Whether `,"metadata":` starts at `at` (12 bytes; the caller checked they are in the line). */
@inline function isMetadata(at: usize): bool {
  // `,"metadata":` as little-endian words: `,"metada` and `ta":`.
  return load<u64>(at) == 0x6164_6174_656d_222c && load<u32>(at, 8) == 0x3a22_6174;
}

// The tag key of the previous line: consecutive lines (the metrics of one request) share it.
let previousTags: usize = 0;
let previousTagsLength: usize = 0;
let previousTagsId: i32 = -1;
let previousTagsExact = false;

// --- lines -------------------------------------------------------------------------------------

/**
 * Reads the lines in [from, to) into records until the records are full; with `final`, what follows
 * the last newline is read as the last line. Returns the number of records; `scannedTo()` tells
 * where it stopped.
 */
export function scan(from: usize, to: usize, final: bool): u32 {
  let pos = from;
  let count: u32 = 0;
  while (count < recordCapacity) {
    const rec = records + <usize>count * RECORD_BYTES;
    let eol = quick(rec, pos, to);
    if (eol == 0) {
      eol = find(pos, to, NEWLINE);
      if (eol == to) {
        if (!final || pos == to) break;
        line(rec, pos, to, FLAG_LAST);
        count += 1;
        pos = to;
        break;
      }
      line(rec, pos, eol, 0);
    }
    count += 1;
    pos = eol + 1;
  }
  scanned = pos;
  return count;
}

/**
 * The common line in one pass: the layout, known metric, and the tag set of the previous line,
 * followed by the line's end. Returns the newline's address having filled the record exactly as
 * `line` would, or 0 (nothing done) when the line is not that simple: then `line` reads it after a
 * search for its end. Every search here also stops at a newline (this line's end is not known yet).
 */
function quick(rec: usize, start: usize, to: usize): usize {
  if (previousTagsId < 0 || !prefixIsPoint(start)) return 0;
  const nameStart = start + 11;
  const nameEnd = find3(nameStart, to, QUOTE, BACKSLASH, NEWLINE);
  if (nameEnd == 0 || nameEnd + 33 > to || !afterName(nameEnd)) return 0;
  const timeStart = nameEnd + 33;
  const timeEnd = find2(timeStart, to, QUOTE, NEWLINE);
  if (timeEnd == to || timeEnd + 10 > to || !afterTime(timeEnd)) return 0;
  const valueStart = timeEnd + 10;
  const valueEnd = find2(valueStart, to, COMMA, NEWLINE);
  if (valueEnd == to || valueEnd == valueStart || valueEnd + 8 > to || load<u64>(valueEnd) != BEFORE_TAGS) return 0;
  const tagsStart = valueEnd + 8;
  const keyEnd = tagsStart + previousTagsLength;
  // `}}` and the newline (or CR and newline) after the previous line's tags.
  if (keyEnd + 3 > to || load<u16>(keyEnd) != 0x7d7d) return 0;
  let eol = keyEnd + 2;
  if (load<u8>(eol) == 13) eol += 1;
  if (eol >= to || load<u8>(eol) != NEWLINE || !same(tagsStart, previousTags, previousTagsLength)) return 0;
  const metric = knownMetric(nameStart, nameEnd - nameStart);
  if (metric < 0) return 0;
  const timeMs = parseTime(timeStart, timeEnd);
  if (isNaN(timeMs)) return 0;
  const metricId = metric;
  const pair = pairOf((<u64>metricId << 32) | <u64>previousTagsId);
  if (pair < 0) return 0;
  const value = parseValue(valueStart, valueEnd);
  store<u32>(rec, valueExact ? 0 : FLAG_VALUE_BY_JS, R_FLAGS);
  store<u32>(rec, start, R_LINE_START);
  store<u32>(rec, eol, R_LINE_END);
  store<u32>(rec, pair, R_PAIR);
  store<u32>(rec, metricId, R_METRIC);
  store<u32>(rec, previousTagsId, R_TAGS);
  store<u32>(rec, nameStart, R_NAME_START);
  store<u32>(rec, nameEnd, R_NAME_END);
  store<u32>(rec, tagsStart, R_KEY_START);
  store<u32>(rec, keyEnd, R_KEY_END);
  store<u32>(rec, valueStart, R_VALUE_START);
  store<u32>(rec, valueEnd, R_VALUE_END);
  store<f64>(rec, timeMs, R_TIME);
  store<f64>(rec, value, R_VALUE);
  return eol;
}

/** One line [start, eol) into the record at `rec`. */
function line(rec: usize, start: usize, eol: usize, flags: u32): void {
  store<u32>(rec, start, R_LINE_START);
  store<u32>(rec, eol, R_LINE_END);
  const kind = point(rec, start, eol);
  store<u32>(rec, kind | flags | newFlags, R_FLAGS);
  newFlags = 0;
}

let newFlags: u32 = 0;

/** The fast path's checks, in the JS path's terms; returns 0 (read here) or KIND_JS. */
function point(rec: usize, start: usize, eol: usize): u32 {
  let end = eol;
  if (end > start && load<u8>(end - 1) == 13) end -= 1; // CRLF
  // The shortest line of this layout has 87 bytes; shorter ones (blank lines among them) are JS's.
  if (end - start < 87) return KIND_JS;
  if (!prefixIsPoint(start)) return KIND_JS;
  const nameStart = start + 11;
  // The name ends at the first quote; a backslash before it is an escape, which JSON.parse decodes.
  const nameEnd = find2(nameStart, end, QUOTE, BACKSLASH);
  if (nameEnd + 33 > end || !afterName(nameEnd)) return KIND_JS;
  const timeStart = nameEnd + 33;
  const timeEnd = find(timeStart, end, QUOTE);
  if (timeEnd + 10 > end || !afterTime(timeEnd)) return KIND_JS;
  const valueStart = timeEnd + 10;
  const valueEnd = find(valueStart, end, COMMA);
  if (valueEnd + 8 > end || load<u64>(valueEnd) != BEFORE_TAGS) return KIND_JS;
  if (valueEnd == valueStart) return KIND_JS;
  const tagsStart = valueEnd + 8;
  if (load<u8>(end - 1) != 0x7d || load<u8>(end - 2) != 0x7d || end - 2 <= tagsStart) return KIND_JS;
  const timeMs = parseTime(timeStart, timeEnd);
  if (isNaN(timeMs)) return KIND_JS;
  const value = parseValue(valueStart, valueEnd);

  store<u32>(rec, valueStart, R_VALUE_START);
  store<u32>(rec, valueEnd, R_VALUE_END);
  store<f64>(rec, timeMs, R_TIME);
  store<f64>(rec, value, R_VALUE);

  // Tags: the candidate is everything up to the final `}}`; with metadata, the tag object alone.
  const candidate = end - 2 - tagsStart;
  let tagsId: i32;
  let keyEnd = end - 2;
  if (candidate == previousTagsLength && same(tagsStart, previousTags, candidate)) {
    tagsId = previousTagsId;
  } else if (
    previousTagsExact &&
    candidate >= previousTagsLength + 12 &&
    same(tagsStart, previousTags, previousTagsLength) &&
    isMetadata(tagsStart + previousTagsLength)
  ) {
    // The previous tag object followed by metadata: its end is where the previous one's was.
    tagsId = previousTagsId;
    keyEnd = tagsStart + previousTagsLength;
  } else {
    let h = hashBytes(tagsStart, candidate);
    let slot = tableFind(TAGS, tagsStart, candidate, h);
    if (slot == 0) {
      const tagsEnd = endOfTags(tagsStart, end);
      // `exact`: the key ends where its tag object does, so a line with the same tags and metadata
      // after them can use the shortcut above.
      let exact = tagsEnd == end - 2;
      if (tagsEnd != 0 && tagsEnd + 12 <= end && isMetadata(tagsEnd)) {
        // `"tags":{…},"metadata":…`: the key is the tag object.
        keyEnd = tagsEnd;
        exact = true;
        h = hashBytes(tagsStart, keyEnd - tagsStart);
        slot = tableFind(TAGS, tagsStart, keyEnd - tagsStart, h);
      }
      if (slot == 0) {
        slot = tableAdd(TAGS, tagsStart, keyEnd - tagsStart, h, exact);
        if (slot == 0) return KIND_JS;
        newFlags |= FLAG_NEW_TAGS;
      }
    }
    tagsId = slotId(slot);
    previousTags = slotKey(slot);
    previousTagsLength = keyEnd - tagsStart;
    previousTagsId = tagsId;
    previousTagsExact = slotExact(slot);
  }
  store<u32>(rec, tagsId, R_TAGS);
  store<u32>(rec, tagsStart, R_KEY_START);
  store<u32>(rec, keyEnd, R_KEY_END);

  const nameLength = nameEnd - nameStart;
  const nameHash = hashBytes(nameStart, nameLength);
  let nameSlot = tableFind(METRICS, nameStart, nameLength, nameHash);
  if (nameSlot == 0) {
    nameSlot = tableAdd(METRICS, nameStart, nameLength, nameHash, false);
    if (nameSlot == 0) return KIND_JS;
    newFlags |= FLAG_NEW_METRIC;
  }
  const metricId = slotId(nameSlot);
  if ((newFlags & FLAG_NEW_METRIC) != 0 && <u32>metricId < NEXT_LIMIT) {
    store<usize>(metricInfo + (<usize>metricId << 4), slotKey(nameSlot));
    store<u32>(metricInfo + (<usize>metricId << 4), <u32>nameLength, 4);
  }
  store<u32>(rec, metricId, R_METRIC);
  store<u32>(rec, nameStart, R_NAME_START);
  store<u32>(rec, nameEnd, R_NAME_END);

  const pair = pairOf((<u64>metricId << 32) | <u64>tagsId);
  if (pair < 0) return KIND_JS;
  store<u32>(rec, pair, R_PAIR);
  return valueExact ? 0 : FLAG_VALUE_BY_JS;
}

// The fixed parts of the layout as little-endian words (checked by ../ndjson-scanner-build.ts).

// Metrics by id (below NEXT_LIMIT): their key and length, and the id + 1 of the metric that followed
// them last time. k6 writes the metrics of a request in one order, so that one is tried first.
const NEXT_LIMIT: u32 = 4096;
let metricInfo: usize = 0;
let previousMetric: i32 = -1;

/** The id of a metric already in the table, or -1. */
function knownMetric(name: usize, n: usize): i32 {
  const before = previousMetric;
  if (<u32>before < NEXT_LIMIT) {
    const guess = <i32>load<u32>(metricInfo + (<usize>before << 4), 8) - 1;
    if (guess >= 0) {
      const info = metricInfo + (<usize>guess << 4);
      if (<usize>load<u32>(info, 4) == n && same(load<usize>(info), name, n)) {
        previousMetric = guess;
        return guess;
      }
    }
  }
  const slot = tableFind(METRICS, name, n, hashBytes(name, n));
  if (slot == 0) return -1;
  const id = slotId(slot);
  if (<u32>before < NEXT_LIMIT) store<u32>(metricInfo + (<usize>before << 4), id + 1, 8);
  previousMetric = id;
  return id;
}

/** `{"metric":"` (11 bytes) at `at`. */
@inline function prefixIsPoint(at: usize): bool {
  return load<u64>(at) == 0x6369_7274_656d_227b && load<u32>(at, 7) == 0x223a_2263;
}

/** `","type":"Point","data":{"time":"` (33 bytes) at `at`. */
@inline function afterName(at: usize): bool {
  return (
    load<u64>(at) == 0x2265_7079_7422_2c22 &&
    load<u64>(at, 8) == 0x2274_6e69_6f50_223a &&
    load<u64>(at, 16) == 0x3a22_6174_6164_222c &&
    load<u64>(at, 25) == 0x223a_2265_6d69_7422
  );
}

/** `,"tags":` (8 bytes). */
const BEFORE_TAGS: u64 = 0x3a22_7367_6174_222c;

/** `","value":` (10 bytes) at `at`. */
@inline function afterTime(at: usize): bool {
  return load<u64>(at) == 0x6575_6c61_7622_2c22 && load<u16>(at, 8) == 0x3a22;
}
