/** The stress scenario as a k6 entry point; its variables and schedule are `STRESS` in lib/scenarios.ts. */
import { defineScenario } from '../lib/k6/scenario.ts';
import { STRESS } from '../lib/scenarios.ts';

const scenario = defineScenario(STRESS);

export const options = scenario.options;
export default scenario.iteration;
export const handleSummary = scenario.handleSummary;
