import { appendFileSync } from "node:fs";
import type { Reporter, TestModule, TestSpecification } from "vitest/node";

/**
 * A vitest reporter for scripts/test.ts: one JSON line per event of the run, appended to the file named by
 * GOVERNOR_TEST_PROGRESS (nothing when it is unset), so the stall guard can tell which files never finished.
 */
export default class TestProgressReporter implements Reporter {
  private readonly file = process.env.GOVERNOR_TEST_PROGRESS;

  private write(line: Record<string, unknown>): void {
    if (this.file) appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.write({ event: "planned", files: [...new Set(specifications.map((s) => s.moduleId))] });
  }

  onTestModuleStart(module: TestModule): void {
    this.write({ event: "started", file: module.moduleId });
  }

  onTestModuleEnd(module: TestModule): void {
    this.write({ event: "ended", file: module.moduleId, state: module.state() });
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>, reason: string): void {
    this.write({ event: "run-ended", reason, errors: errors.length });
  }
}
