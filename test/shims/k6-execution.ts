/** Test double for `k6/execution`: a mutable clock for the scenario and a record of aborts. */
export class TestAborted extends Error {}

const state = {
  scenario: { startTime: 0 },
  vu: { metrics: { tags: {} as Record<string, string> } },
  test: {
    options: { tags: {} as Record<string, string> },
    aborts: [] as string[],
    abort(message: string): never {
      state.test.aborts.push(message);
      throw new TestAborted(message);
    },
  },
};

export default state;
