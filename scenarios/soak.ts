/** The soak scenario as a k6 entry point; its variables and schedule are `SOAK` in lib/scenarios.ts. */
import { defineScenario } from '../lib/k6/scenario.ts';
import { SOAK } from '../lib/scenarios.ts';

const scenario = defineScenario(SOAK);

export const options = scenario.options;
export default scenario.iteration;
export const handleSummary = scenario.handleSummary;
