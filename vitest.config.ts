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
    // On Node 20 the AWS SDK prints an eight-line NodeVersionSupportWarning in every worker that builds a client,
    // burying the results; README "Node versions" states what is supported instead. The SDK's documented switch
    // (aws/aws-sdk-js-v3#7983); the CLI sets it too (bin/governor.js), and test/cli/sdk-warning.test.ts checks that.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
