#!/usr/bin/env node
/** `jc-audit`: audit a JumpCloud organization against the hardening guide (see `jc-audit --help`). */
import { setFlagsFromString } from "node:v8";
import { main } from "../cli/program.js";

/**
 * A run holds one collection live (about 60 MB at 100,000 users) and exits, so V8's default of growing
 * the young generation to 16 MB semi-spaces and the old one by large steps only adds resident memory:
 * 2.1 on 100,000 users peaks near 215 MiB with the defaults and near 145 MiB with these, for about 15%
 * more time (Node 20; `npm run bench:cli-audit` measures both). Newer V8 releases may ignore a growth
 * factor below 2. A flag given to node on the command line or in NODE_OPTIONS wins.
 */
const GC_FLAGS = ["--semi-space-growth-factor=1", "--heap-growing-percent=20"];

const given = `${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`.replaceAll("_", "-");
for (const flag of GC_FLAGS) if (!given.includes(flag.split("=")[0] as string)) setFlagsFromString(flag);

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
