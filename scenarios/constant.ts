/** The constant scenario as a k6 entry point; its variables and schedule are `constantDefinition` in lib/scenarios.ts. */
import { defineScenario } from '../lib/k6/scenario.ts';
import { constantDefinition } from '../lib/scenarios.ts';

const scenario = defineScenario(constantDefinition());

export const options = scenario.options;
export const setup = scenario.setup;
export default scenario.iteration;
export const handleSummary = scenario.handleSummary;
