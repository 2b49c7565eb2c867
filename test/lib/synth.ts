/** Synthesizes the app like `cdk synth` does (cdk.json's context and feature flags), for infrastructure tests. */
import { readFileSync } from "node:fs";
import { Template } from "aws-cdk-lib/assertions";
import { type AuditApp, createAuditApp } from "../../lib/app.js";

/** The context of cdk.json: feature flags and the jcAudit defaults. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL("../../cdk.json", import.meta.url), "utf8"),
).context;

/** How to synthesize. */
export interface SynthOptions {
  /**
   * Run esbuild for the functions' code (slow); otherwise CDK skips bundling and stages a placeholder.
   * @default false
   */
  readonly bundle?: boolean;
  /**
   * Run CDK's built-in CloudFormation template validation, as `cdk synth` does (about 10 s the first time
   * in a process: it loads the resource schemas).
   * @default false
   */
  readonly cloudFormationValidation?: boolean;
}

/** An app synthesized from cdk.json's context plus `context`, with its stack's template. */
export function synth(
  context: Record<string, unknown> = {},
  options: SynthOptions = {},
): AuditApp & { template: Template } {
  const built = createAuditApp({
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundle ? {} : { "aws:cdk:bundling-stacks": [] }),
      ...context,
    },
  });
  return { ...built, template: Template.fromStack(built.stack) };
}

/** A resource of a synthesized template (`Properties` is `{}` when the template has none). */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}

/** A statement of an IAM, key, topic, queue or secret policy. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: "*" | { readonly AWS?: unknown; readonly Service?: unknown };
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A policy document. */
export interface PolicyDocument {
  readonly Statement: PolicyStatement[];
}

/** The resources of a template, by logical id. */
export function resources(template: Template, type?: string): Record<string, TemplateResource> {
  const all = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  return Object.fromEntries(
    Object.entries(all)
      .filter(([, resource]) => !type || resource.Type === type)
      .map(([id, resource]) => [id, { ...resource, Properties: resource.Properties ?? {} }]),
  );
}

/** One resource by logical id; throws when it does not exist. */
export function resource(template: Template, id: string): TemplateResource {
  const found = resources(template)[id];
  if (!found) throw new Error(`no resource ${id}`);
  return found;
}

/** The logical id a `{Ref}` or `{Fn::GetAtt}` points to. */
export function refId(value: unknown): string | undefined {
  const object = value as { Ref?: string; "Fn::GetAtt"?: [string, string] } | undefined;
  return object?.Ref ?? object?.["Fn::GetAtt"]?.[0];
}

/** The single logical id of a resource type whose id starts with `prefix`. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(resources(template, type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(", ") || "none"}`);
  return ids[0] as string;
}
