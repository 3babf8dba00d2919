/**
 * What the k6-side library costs: dist/constant.js against a bare k6 script making the same request
 * (GET /health, the cheapest endpoint) and against a hand-written script with the same k6 options,
 * in the same run, alternating, several rounds.
 *
 * k6 is made the bottleneck: both run as a closed loop of VUs (`--vus N --duration D` on the command
 * line replaces the script's arrival-rate scenario, so both use the identical executor and go as fast
 * as k6 can), k6 is pinned to CPU 0 and the sample service to CPU 1. Measured per run: requests/s
 * achieved, and k6's CPU time per request (user + system time of the reaped k6 process, read from
 * this process's cutime/cstime in /proc/self/stat, which counts waited-for children).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildScenarios } from '../scripts/build.ts';
import { repoRoot } from '../scripts/lib/cli.ts';
import { ensureK6, k6Version } from '../scripts/lib/k6.ts';
import { runK6, startSampleService } from '../scripts/lib/processes.ts';
import { median } from 'simple-statistics';

export interface OverheadOptions {
  readonly rounds: number;
  readonly seconds: number;
  readonly vus: number;
}

interface Measurement {
  readonly rps: number;
  readonly cpuMicrosPerRequest: number;
}

const VARIANTS = [
  { name: 'bare k6 script', script: path.join(repoRoot, 'bench', 'k6', 'bare.js'), vars: {} },
  { name: 'hand-written equivalent', script: path.join(repoRoot, 'bench', 'k6', 'equivalent.js'), vars: {} },
  { name: 'dist/constant.js', script: path.join(repoRoot, 'dist', 'constant.js'), vars: { MIX: 'health', SUMMARY_PATH: 'none' } },
  {
    name: 'dist/constant.js, CHECKS=true',
    script: path.join(repoRoot, 'dist', 'constant.js'),
    vars: { MIX: 'health', SUMMARY_PATH: 'none', CHECKS: 'true' },
  },
] as const;

export async function libOverhead({ rounds, seconds, vus }: OverheadOptions): Promise<void> {
  const k6 = await ensureK6();
  await buildScenarios();
  const pin = os.availableParallelism() >= 2;
  const service = await startSampleService({ replicas: 1, ...(pin ? { cpuList: '1' } : {}) });
  const work = mkdtempSync(path.join(os.tmpdir(), 'k6-capacity-bench-'));
  const results = VARIANTS.map(() => [] as Measurement[]);
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const [i, variant] of VARIANTS.entries()) {
        const measurement = await measure(k6, variant.script, { BASE_URL: service.url, ...variant.vars }, { seconds, vus, pin, work });
        results[i]?.push(measurement);
        process.stderr.write(
          `round ${round}/${rounds} ${variant.name}: ${measurement.rps.toFixed(0)} req/s, ${measurement.cpuMicrosPerRequest.toFixed(1)} µs CPU/request\n`,
        );
      }
    }
  } finally {
    await service.stop();
    rmSync(work, { recursive: true, force: true });
  }

  const version = await k6Version(k6);
  const bare = results[0] as Measurement[];
  // Ratios are taken within a round (runs minutes apart drift more than runs seconds apart), then
  // summarised by their median, with the range to show how much of a difference is noise.
  const ratios = (i: number, pick: (m: Measurement) => number): number[] =>
    (results[i] ?? []).map((m, round) => pick(m) / pick(bare[round] as Measurement));
  const range = (values: number[]): string => `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)}`;
  const lines = [
    `library overhead · k6 v${version} · ${os.availableParallelism()} cores${pin ? ', k6 on CPU 0, service on CPU 1' : ''} · ${vus} VUs closed loop · GET /health · ${seconds} s × ${rounds} rounds`,
    'medians over rounds; ratios are to the bare script of the same round (range in brackets)',
    '',
    `${'variant'.padEnd(32)}${'req/s'.padStart(8)}${'ratio'.padStart(8)}${''.padEnd(15)}${'µs CPU/req'.padStart(12)}${'ratio'.padStart(8)}`,
  ];
  for (const [i, variant] of VARIANTS.entries()) {
    const measurements = results[i] ?? [];
    const rps = ratios(i, (m) => m.rps);
    const cpu = ratios(i, (m) => m.cpuMicrosPerRequest);
    lines.push(
      `${variant.name.padEnd(32)}${median(measurements.map((m) => m.rps)).toFixed(0).padStart(8)}${median(rps).toFixed(3).padStart(8)}` +
        ` [${range(rps)}]`.padEnd(15) +
        `${median(measurements.map((m) => m.cpuMicrosPerRequest)).toFixed(1).padStart(12)}${median(cpu).toFixed(3).padStart(8)} [${range(cpu)}]`,
    );
  }
  const libIndex = VARIANTS.findIndex((variant) => variant.name === 'dist/constant.js');
  const throughputCost = 1 - median(ratios(libIndex, (m) => m.rps));
  const cpuCost = median(ratios(libIndex, (m) => m.cpuMicrosPerRequest)) - 1;
  lines.push(
    '',
    `library cost (defaults): ${(throughputCost * 100).toFixed(1)}% throughput, ${(cpuCost * 100).toFixed(1)}% k6 CPU per request ` +
      `(goal: under 5%: ${Math.max(throughputCost, cpuCost) < 0.05 ? 'met' : 'NOT met'})`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function measure(
  k6: string,
  script: string,
  vars: Record<string, string>,
  { seconds, vus, pin, work }: { seconds: number; vus: number; pin: boolean; work: string },
): Promise<Measurement> {
  const exportFile = path.join(work, 'summary-export.json');
  const before = childCpuSeconds();
  const result = await runK6({
    k6,
    script,
    vars,
    extraArgs: ['--vus', String(vus), '--duration', `${seconds}s`, '--summary-export', exportFile],
    cwd: work,
    ...(pin ? { cpuList: '0' } : {}),
  });
  const cpu = childCpuSeconds() - before;
  if (result.exitCode !== 0) throw new Error(`k6 exited ${result.exitCode}: ${result.stderr}`);
  const exported = JSON.parse(readFileSync(exportFile, 'utf8')) as { metrics: Record<string, { count?: number; rate?: number }> };
  const requests = exported.metrics.http_reqs?.count ?? 0;
  return { rps: exported.metrics.http_reqs?.rate ?? 0, cpuMicrosPerRequest: (cpu / requests) * 1e6 };
}

/** CPU seconds (user + system) of this process's reaped children: fields 16 and 17 of /proc/self/stat. */
function childCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // The command name (field 2) may contain spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[13]) + Number(fields[14]);
  return ticks / 100; // USER_HZ is 100 on Linux
}
