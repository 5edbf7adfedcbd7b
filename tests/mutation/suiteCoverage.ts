/**
 * Mocha root hooks for `npm run test:mutation` only (stryker.config.json requires this file; `npm test`
 * never loads it).
 *
 * Why: with `coverageAnalysis: "perTest"`, StrykerJS's mocha runner attributes coverage to the test
 * whose root `beforeEach` ran last. Code that runs in a describe's `before` hook (the tests plan a
 * tenant stack once and share it across a describe) is then credited to the previous, unrelated
 * test: Stryker runs only that test against the mutant, the describe that would catch it never
 * runs, and the mutant "survives" (stryker-js issue #4175). These hooks credit what a `before` hook
 * covers to every test of its describe, which is the set of tests that observe it.
 */
import type { Context, Suite } from "mocha";

/** The part of StrykerJS's instrumenter context (global `__stryker__`) these hooks use. */
interface InstrumenterContext {
  currentTestId?: string;
  mutantCoverage?: { perTest: Record<string, Record<string, number>> };
}

const SUITE_PREFIX = "stryker-suite-hook: ";
const instrumented = new WeakSet<Suite>();
/** Synthetic coverage ids to the full titles of the tests they stand for. */
const testsOfSuite = new Map<string, string[]>();

function strykerContext(): InstrumenterContext | undefined {
  return (globalThis as { __stryker__?: InstrumenterContext }).__stryker__;
}

function allTests(suite: Suite): string[] {
  return [...suite.tests.map((t) => t.fullTitle()), ...suite.suites.flatMap(allTests)];
}

/** Adds, as the first `before` hook of every suite, one that credits coverage to the suite. */
function instrument(suite: Suite): void {
  if (instrumented.has(suite)) return;
  instrumented.add(suite);
  const id = SUITE_PREFIX + suite.fullTitle();
  testsOfSuite.set(id, allTests(suite));
  suite.beforeAll(function creditSuite() {
    const context = strykerContext();
    if (context) context.currentTestId = id;
  });
  // Mocha runs `before` hooks in the order they were added; this one must run first.
  const hooks = (suite as unknown as { _beforeAll: unknown[] })._beforeAll;
  hooks.unshift(hooks.pop());
  suite.suites.forEach(instrument);
}

/** Moves coverage recorded under a suite's synthetic id to each test of that suite. */
function distribute(): void {
  const perTest = strykerContext()?.mutantCoverage?.perTest;
  if (!perTest) return;
  for (const [id, tests] of testsOfSuite) {
    const covered = perTest[id];
    if (!covered) continue;
    delete perTest[id];
    for (const test of tests) {
      const target = (perTest[test] ??= {});
      for (const [mutant, hits] of Object.entries(covered)) target[mutant] = (target[mutant] ?? 0) + hits;
    }
  }
}

export const mochaHooks = {
  beforeAll(this: Context): void {
    const root = this.test?.parent;
    if (root) root.suites.forEach(instrument);
  },
  afterAll(): void {
    distribute();
  },
};
