/// <reference types="k6" />
/**
 * The outer part of a split bundle (scripts/build.ts): the scenario file's own bundle is the body
 * of `loadFull`, which only k6's first VU calls (`__VU` 0: options, setup(), handleSummary). The VUs
 * that iterate run the iteration from setup()'s data (lib/k6/iterate.ts) and create none of the
 * planning code's functions and objects, which would stay live in each of them for the whole run.
 */
import type { Options } from 'k6/options';
import type { SummaryData } from '../summary.ts';
import { iterationFrom } from './iterate.ts';

/** What a scenario file built on defineScenario exports. */
export interface ScenarioExports {
  readonly options: Options;
  readonly setup: () => unknown;
  readonly default: (data?: unknown) => void;
  readonly handleSummary: (data: SummaryData) => Record<string, string>;
}

export function splitEntry(loadFull: () => ScenarioExports) {
  let full: ScenarioExports | null = null;
  const inner = (): ScenarioExports => (full ??= loadFull());
  if (typeof __VU !== 'number' || __VU === 0) inner();
  return {
    options: full === null ? {} : (full as ScenarioExports).options,
    setup: () => inner().setup(),
    // Without our setup data (`--no-setup`), the scenario's own default function, built in this VU.
    iteration: iterationFrom((data) => () => inner().default(data)),
    handleSummary: (data: SummaryData) => inner().handleSummary(data),
  };
}

/**
 * `require` for the inner bundle, from the k6 modules the outer one imports. The inner one is
 * CommonJS in Node's manner (the package is `type: module`): a default import is the module object
 * itself, a named import one of its properties. So each module answers with its named export where
 * there is one, and otherwise with the property of its default export, read at the time of use
 * (k6/execution's are live, and throw when read in the init context: hence a proxy with no own
 * keys, which esbuild's interop helpers have nothing to copy from).
 */
export function k6Require(modules: Readonly<Record<string, object>>): (name: string) => object {
  return (name) => {
    const namespace = modules[name];
    if (namespace === undefined) throw new Error(`split bundle: \`${name}\` is not among the k6 modules it imports`);
    return new Proxy(
      {},
      { get: (_, key) => (key in namespace ? Reflect.get(namespace, key) : Reflect.get(Reflect.get(namespace, 'default') ?? {}, key)) },
    );
  };
}
