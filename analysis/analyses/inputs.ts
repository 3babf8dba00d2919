/** Every input with what was read of it and its problems (the first ones with their line numbers). */
import { section } from '../report/section.ts';
import { code, t, verbatim, type Phrase } from '../report/text.ts';
import type { AnalysisDefinition } from './context.ts';

/** Problems listed per input (all are counted, and all kept ones are in analysis.json). */
const PROBLEMS_PER_INPUT = 5;

export const inputsAnalysis: AnalysisDefinition = {
  id: 'inputs',
  run(context) {
    const { inputs } = context;
    const notes: Phrase[] = [];
    for (const input of inputs.filter((i) => i.problems_total > 0)) {
      for (const problem of input.problems.slice(0, PROBLEMS_PER_INPUT)) {
        notes.push(problem.line === null ? t`${code(input.path)}: ${[problem.message]}` : t`${code(input.path)} line ${problem.line}: ${[problem.message]}`);
      }
      const more = input.problems_total - Math.min(input.problems.length, PROBLEMS_PER_INPUT);
      if (more > 0) notes.push(t`${code(input.path)}: … and ${more} more ${more === 1 ? 'problem' : 'problems'} (the first ${input.problems.length} are in analysis.json)`);
    }
    return section({
      id: 'inputs',
      title: 'Inputs',
      tables: [
        {
          id: 'inputs',
          columns: [
            { key: 'file', label: 'File' },
            { key: 'format', label: 'Format' },
            { key: 'lines', label: 'Lines', unit: 'count', align: 'right' },
            { key: 'skipped', label: 'Skipped', unit: 'count', align: 'right' },
            { key: 'problems', label: 'Problems', unit: 'count', align: 'right' },
          ],
          rows: inputs.map((input) => ({ file: [{ code: input.path }], format: [verbatim(input.format)], lines: input.lines, skipped: input.skipped, problems: input.problems_total })),
        },
      ],
      notes,
      data: null,
    });
  },
};
