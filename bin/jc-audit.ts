#!/usr/bin/env node
/** `jc-audit`: audit a JumpCloud organization against the hardening guide (see `jc-audit --help`). */
import { main } from "../cli/program.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
