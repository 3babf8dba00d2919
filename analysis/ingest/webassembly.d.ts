/**
 * The part of the WebAssembly JS API the NDJSON scanner uses (ndjson-scanner.ts): TypeScript declares
 * it only in the DOM library, which the Node side does not load (it would declare `window`, `fetch`…).
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer);
  }
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
  type Imports = Record<string, Record<string, ((...args: never[]) => unknown) | Memory | number>>;
  function compile(bytes: ArrayBufferView | ArrayBuffer): Promise<Module>;
}
