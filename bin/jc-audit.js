#!/usr/bin/env node
// Entry point for `npx jc-audit`: loads the TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
await import("./jc-audit.ts");
