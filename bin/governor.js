#!/usr/bin/env node
// The `governor` command: loads the TypeScript CLI through tsx, so `npx governor` works right after `npm ci`.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
