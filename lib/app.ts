/**
 * Builds the CDK app from its context: validates the `jcAudit:*` keys, adds the stack, and registers
 * cdk-nag's AWS Solutions and NIST 800-53 rev 5 checks (the framework the hardening guide maps to) so
 * every synth fails on a finding not acknowledged with a reason.
 * Used by `bin/app.ts` and by the tests, so both synthesize the same thing.
 */
import { App, type AppProps, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks, NIST80053R5Checks } from "cdk-nag";
import { AuditStack } from "./audit-stack.js";
import { loadDeployConfig } from "./config.js";

/** The app and its stack. */
export interface AuditApp {
  readonly app: App;
  readonly stack: AuditStack;
}

/**
 * Creates the app, its stack and the cdk-nag checks; throws a DeployConfigError on a bad context.
 *
 * @param props App properties; `context` adds to (and overrides) cdk.json's when run by the CLI
 */
export function createAuditApp(props: AppProps = {}): AuditApp {
  const app = new App(props);
  const config = loadDeployConfig(app.node.getAllContext());
  const stack = new AuditStack(app, config.stackName, {
    config,
    description:
      "JumpCloud hardening auditor: scheduled per-control audits, findings in S3, alerts to SNS and Slack",
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new NIST80053R5Checks(app, { verbose: true }),
  );
  return { app, stack };
}
