#!/usr/bin/env node
// The `governor` command: loads the TypeScript CLI through tsx, so `npx governor` works right after `npm ci`.
import { register } from "tsx/esm/api";

// On Node 20 the AWS SDK prints an eight-line NodeVersionSupportWarning on every run (its releases after the first
// week of January 2027 need Node 22). The README's "Node versions" says what runs where and until when; this is the
// SDK's documented switch (aws/aws-sdk-js-v3#7983), left to the user when they set it themselves.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
