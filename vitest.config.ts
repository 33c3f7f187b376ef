import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Decodes every PutResourcePolicy body the tests send (test/helpers/policy-writes.setup.ts).
    setupFiles: ["test/helpers/policy-writes.setup.ts"],
    // Integration tests start moto_server; keep the two cores for them.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    allowOnly: false,
  },
});
