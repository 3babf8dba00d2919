/**
 * Kubernetes resource quantities (`250m`, `2Gi`, `58846045n`, `1e3`), read exactly.
 *
 * Grammar: k8s.io/apimachinery `pkg/api/resource/quantity.go` —
 * `<signedNumber><suffix>`, suffix one of the binary SI `Ki Mi Gi Ti Pi Ei`, the decimal SI
 * `n u m "" k M G T P E`, or a decimal exponent `e<int>` / `E<int>`.
 *
 * A quantity is kept as `coefficient × 10^exponent10 × 2^exponent2` with a BigInt coefficient, so sums
 * (a pod's containers) are exact and a conversion to a JS number rounds once, at the end.
 */

export interface Quantity {
  /** The value is `coefficient × 10^exponent10 × 2^exponent2`. */
  readonly coefficient: bigint;
  readonly exponent10: number;
  /** 0 for decimal quantities; 10, 20, … 60 for `Ki` … `Ei`. */
  readonly exponent2: number;
}

const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d{1,4})?$/;

/** Parses a quantity; `undefined` when `text` is not one (surrounding spaces included, as Kubernetes does). */
export function parseQuantity(text: string): Quantity | undefined {
  const match = QUANTITY.exec(text);
  if (match === null) return undefined;
  const [, sign = '', number = '', suffix = ''] = match;
  const [whole = '', fraction = ''] = number.split('.');
  let coefficient = BigInt(`${whole}${fraction}` || '0');
  if (sign === '-') coefficient = -coefficient;
  let exponent10 = 0 - fraction.length;
  let exponent2 = 0;
  if (suffix in BINARY) exponent2 = BINARY[suffix] ?? 0;
  else if (suffix in DECIMAL) exponent10 += DECIMAL[suffix] ?? 0;
  else if (suffix !== '') exponent10 += Number(suffix.slice(1));
  return { coefficient, exponent10, exponent2 };
}

/** The quantity as the nearest JS number (one rounding, from the exact decimal). */
export function toNumber(quantity: Quantity): number {
  const { coefficient, exponent10, exponent2 } = quantity;
  // The decimal string is exact; Number() rounds it correctly to the nearest double.
  return Number(`${coefficient * (1n << BigInt(exponent2))}e${exponent10}`);
}

/** `quantity × 10^exponent10`, exactly (3 turns cores into millicores). */
export function scaleQuantity(quantity: Quantity, exponent10: number): Quantity {
  return { ...quantity, exponent10: quantity.exponent10 + exponent10 };
}

/** The exact sum; an empty list sums to zero. */
export function sumQuantities(quantities: readonly Quantity[]): Quantity {
  if (quantities.length === 0) return { coefficient: 0n, exponent10: 0, exponent2: 0 };
  const exponent10 = Math.min(...quantities.map((q) => q.exponent10));
  let coefficient = 0n;
  for (const q of quantities) {
    coefficient += q.coefficient * (1n << BigInt(q.exponent2)) * 10n ** BigInt(q.exponent10 - exponent10);
  }
  return { coefficient, exponent10, exponent2: 0 };
}

/** CPU in millicores: `250m` → 250, `1` → 1000, `58846045n` → 58.846045; `undefined` when not a usage. */
export function cpuMillicores(text: string): number | undefined {
  const quantity = parseQuantity(text);
  return quantity === undefined ? undefined : usage(toNumber(scaleQuantity(quantity, 3)));
}

/**
 * Memory in bytes: `12345Ki` → 12641280, `2Gi` → 2147483648. HPA memory values are milli-bytes
 * (`4503324444m` → 4503324.444), so fractions are kept, not rounded.
 */
export function bytes(text: string): number | undefined {
  const quantity = parseQuantity(text);
  return quantity === undefined ? undefined : usage(toNumber(quantity));
}

/** Millicores of an already parsed quantity (`undefined` when negative or out of range). */
export function quantityMillicores(quantity: Quantity): number | undefined {
  return usage(toNumber(scaleQuantity(quantity, 3)));
}

/** Bytes of an already parsed quantity (`undefined` when negative or out of range). */
export function quantityBytes(quantity: Quantity): number | undefined {
  return usage(toNumber(quantity));
}

// A usage is never negative, and `1e9999` is not a measurement.
function usage(value: number): number | undefined {
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** A CPU size as kubectl writes it: `500m`, `1`, `1.5` is `1500m`. */
export function cpuQuantity(cores: number): string {
  const millicores = Math.round(cores * 1000);
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** A memory size as kubectl writes it: `256Mi`, `1Gi`, or bytes when neither divides. */
export function memoryQuantity(bytes: number): string {
  if (bytes % 2 ** 30 === 0) return `${bytes / 2 ** 30}Gi`;
  if (bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20}Mi`;
  return String(bytes);
}
