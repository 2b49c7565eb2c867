/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`; cdk.json runs this file with tsx). A bad `jcAudit:*`
 * context value stops it with one line per problem, before anything is synthesized.
 */

import { createAuditApp } from "../lib/app.js";
import { DeployConfigError } from "../lib/config.js";

try {
  createAuditApp();
} catch (error) {
  if (!(error instanceof DeployConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
