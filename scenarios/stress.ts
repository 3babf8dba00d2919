/** The stress scenario as a k6 entry point; its variables and schedule are `stressDefinition` in lib/scenarios.ts. */
import { defineScenario } from '../lib/k6/scenario.ts';
import { stressDefinition } from '../lib/scenarios.ts';

const scenario = defineScenario(stressDefinition());

export const options = scenario.options;
export const setup = scenario.setup;
export default scenario.iteration;
export const handleSummary = scenario.handleSummary;
