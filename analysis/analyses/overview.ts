/**
 * What ran, against what, with what, on what: the lines a report opens with, "not recorded" where the
 * inputs do not say.
 */
import { code, join, t, value, type Phrase } from '../report/text.ts';
import type { AnalysisContext } from './context.ts';

export function overviewItems(context: AnalysisContext): Phrase[] {
  const { analysis } = context;
  const manifests = analysis.manifests.map((m) => m.manifest);
  const distinct = (values: readonly (string | null | undefined)[]): string[] => [...new Set(values.filter((v): v is string => v !== null && v !== undefined && v !== ''))];
  const codes = (values: readonly string[], missing: string): Phrase => (values.length === 0 ? [missing] : join(values.map((v) => [code(v)]), ', '));
  const runs = analysis.runs;
  const sweeps: Phrase =
    manifests.length === 0
      ? ['none (runs from files without a manifest.json)']
      : join(
          manifests.map((m) => t`${code(m.id)} (${m.plan?.mode ?? 'sweep'}, ${m.levels.length} ${m.levels.length === 1 ? 'level' : 'levels'}, created ${m.created_at})`),
          ', ',
        );
  const targets = distinct([...manifests.map((m) => `${m.target.name} (${m.target.kind})`), ...(manifests.length === 0 ? runs.map((r) => r.target) : [])]);
  const k6 = distinct([...manifests.map((m) => m.k6_version), ...runs.map((r) => r.summary?.k6Version)]).map((v) => `v${v}`);
  const hosts = manifests.flatMap((m) => (m.host === undefined ? [] : [m.host]));
  const seen = new Set<string>();
  const hostPhrases = hosts
    .filter((h) => {
      const key = JSON.stringify(h);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((h) => t`${h.cores} cores, ${value(h.memory_bytes, 'gib')}${h.cpu_model === null ? '' : `, ${h.cpu_model}`}, ${h.platform}`);
  return [
    t`**Sweep**: ${sweeps}`,
    t`**Target**: ${codes(targets, 'not recorded')}`,
    t`**Scenario**: ${codes(distinct(runs.map((r) => r.scenario)), 'not recorded')}`,
    t`**k6**: ${codes(k6, 'version not recorded (no manifest.json, and k6 summaries do not carry it)')}`,
    t`**Load generator host**: ${hostPhrases.length === 0 ? ['not recorded (the manifest predates it, or there is none)'] : join(hostPhrases, '; ')}`,
  ];
}
