import { benchOrg } from "/work/wt-central/bench/org.ts";
console.log(JSON.stringify(await benchOrg(new Date("2026-11-23T00:00:00Z")), null, 2));
