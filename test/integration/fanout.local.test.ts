/**
 * The MSP fan-out's state machine, run locally: the stack is synthesized with `jcAudit:orgIds` all (three
 * controls, to keep the run short: 1.1, 1.2, 5.2), its definition extracted from the template, validated
 * with asl-validator and run by aws-local-stepfunctions, each Task mapped to the REAL handler of the
 * function its Resource names (imported with that function's environment from the template), against
 * s3rver and the simulator with 50 organizations behind one MSP key. A proxy in front of the simulator
 * answers 500 to every request for one organization and records which organizations have requests in
 * flight. SNS and Secrets Manager are mocked.
 */
import "./promise-with-resolvers.js";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import aslValidator from "asl-validator";
import { StateMachine } from "aws-local-stepfunctions";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ControlFinding } from "../../lambdas/engine/findings.js";
import { stateKeys } from "../../lambdas/service/state-store.js";
import { layout } from "../../lambdas/store/findings-store.js";
import { type RunningSimulator, startSimulator } from "../../sim/index.js";
import { hardenedOrg } from "../../sim/presets/compliant.js";
import { DEFAULT_SIM_API_KEY } from "../../sim/scenario.js";
import { type LocalS3, localS3Env, startLocalS3 } from "../helpers/local-s3.js";
import { resources, synth } from "../lib/synth.js";

const CONTROL_IDS = ["1.1", "1.2", "5.2"];
const MAX_CONCURRENCY = 5;
const BUCKET = "jc-findings-fanout";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:jumpcloud-alerts";
const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:jumpcloud-audit-AbCdEf";
const ORG_IDS = Array.from({ length: 50 }, (_, i) => (0x6b00000000 + i).toString(16).padStart(24, "0"));
/** The organization whose every request the proxy answers with 500. */
const FAILING = ORG_IDS[17] as string;
const NOW = new Date();
const DATE = NOW.toISOString().slice(0, 10);
const EVENT_ID = "fanout-local-1";

const sns = mockClient(SNSClient);
const sm = mockClient(SecretsManagerClient);

type Asl = { States: Record<string, Record<string, unknown>> };
type Handler = (event: unknown) => Promise<unknown>;

let s3: LocalS3 | undefined;
let sim: RunningSimulator;
let proxy: Server;
let bucket: S3Client;
let definition: Asl;
/** Organizations with a request in flight at the simulator, and the most seen at once. */
const inFlight = new Map<string, number>();
let peakOrgs = 0;
/** Task invocations by `orgId control`. */
const invocations = new Map<string, number>();

/** A proxy to the simulator: 500 for {@link FAILING}, and the count of organizations in flight. */
function startProxy(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    const org = req.headers["x-org-id"];
    const orgId = typeof org === "string" ? org : undefined;
    if (orgId) {
      inFlight.set(orgId, (inFlight.get(orgId) ?? 0) + 1);
      peakOrgs = Math.max(peakOrgs, inFlight.size);
      res.once("close", () => {
        const left = (inFlight.get(orgId) ?? 1) - 1;
        if (left === 0) inFlight.delete(orgId);
        else inFlight.set(orgId, left);
      });
    }
    if (orgId === FAILING) {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "Internal Server Error" }));
      return;
    }
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The template's state machine definition, each `Fn::GetAtt`/`Ref` replaced by a local name. */
function localDefinition(template: ReturnType<typeof synth>["template"]): Asl {
  const [machine] = Object.values(resources(template, "AWS::StepFunctions::StateMachine"));
  const body = (machine?.Properties.DefinitionString ?? {}) as { "Fn::Join": [string, unknown[]] };
  const join = body["Fn::Join"];
  const types = resources(template);
  const text = join[1]
    .map((part) => {
      if (typeof part === "string") return part;
      const ref = part as { Ref?: string; "Fn::GetAtt"?: [string, string] };
      const id = ref.Ref ?? ref["Fn::GetAtt"]?.[0] ?? "";
      const type = types[id]?.Type;
      if (type === "AWS::S3::Bucket") return BUCKET;
      if (type === "AWS::Lambda::Function") return `arn:aws:lambda:us-east-1:123456789012:function:${id}`;
      throw new Error(`unexpected reference in the definition: ${JSON.stringify(part)}`);
    })
    .join("");
  return JSON.parse(text) as Asl;
}

/** A function's environment from the template, references resolved to the local bucket, topic and secret. */
function localEnvironment(
  template: ReturnType<typeof synth>["template"],
  id: string,
): Record<string, string> {
  const types = resources(template);
  const environment = (types[id]?.Properties.Environment ?? {}) as { Variables: Record<string, unknown> };
  const variables = environment.Variables;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      if (typeof value === "string") return [name, value];
      const ref = (value as { Ref?: string }).Ref ?? "";
      const type = types[ref]?.Type;
      if (type === "AWS::S3::Bucket") return [name, BUCKET];
      if (type === "AWS::SNS::Topic") return [name, TOPIC];
      if (type === "AWS::SecretsManager::Secret") return [name, SECRET];
      throw new Error(`unexpected ${name} in ${id}'s environment: ${JSON.stringify(value)}`);
    }),
  );
}

/** Every Task state of a definition (Map item processors included), with its Resource. */
function tasks(states: Asl["States"]): Array<[string, string]> {
  return Object.entries(states).flatMap(([name, state]): Array<[string, string]> => {
    if (state.Type === "Task") return [[name, state.Resource as string]];
    const processor = state.ItemProcessor as Asl | undefined;
    return processor ? tasks(processor.States) : [];
  });
}

async function text(key: string): Promise<string> {
  const object = await bucket.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return (await object.Body?.transformToString()) ?? "";
}

async function exists(key: string): Promise<boolean> {
  const page = await bucket.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: key }));
  return (page.Contents ?? []).some((object) => object.Key === key);
}

/** RFC 4180 rows (quoted cells with commas and doubled quotes). */
function parseCsv(csv: string): string[][] {
  return csv
    .split("\r\n")
    .filter(Boolean)
    .map((line) => {
      const cells: string[] = [];
      let cell = "";
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (quoted && ch === '"' && line[i + 1] === '"') {
          cell += '"';
          i++;
        } else if (ch === '"') quoted = !quoted;
        else if (ch === "," && !quoted) {
          cells.push(cell);
          cell = "";
        } else cell += ch;
      }
      cells.push(cell);
      return cells;
    });
}

beforeAll(async () => {
  s3 = await startLocalS3(BUCKET);
  const { endpoint } = s3;
  sim = await startSimulator({
    scenario: {
      name: "msp-fanout",
      description: "50 compliant organizations under one MSP key",
      plan: "platform_plus",
      apiKey: DEFAULT_SIM_API_KEY,
      organizations: ORG_IDS.map((orgId, i) =>
        hardenedOrg(NOW, { name: `Tenant ${i + 1}`, orgId, users: 4, systems: 2 }),
      ),
    },
  });
  proxy = await startProxy(new URL(sim.url));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
  sm.on(GetSecretValueCommand, { SecretId: SECRET }).resolves({ SecretString: sim.apiKey });

  const { template } = synth({
    "jcAudit:orgIds": "all",
    "jcAudit:controls": CONTROL_IDS.join(","),
    "jcAudit:maxConcurrency": MAX_CONCURRENCY,
  });
  definition = localDefinition(template);

  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  // Each function's handler, imported with its own environment (handlers build their dependencies at import).
  const handlers = new Map<string, Handler>();
  for (const [, resource] of tasks(definition.States)) {
    const id = resource.split(":").at(-1) as string;
    if (handlers.has(resource)) continue;
    for (const [name, value] of Object.entries({
      ...localEnvironment(template, id),
      ...localS3Env(endpoint),
      JC_BASE_URL: proxyUrl,
      JC_INSIGHTS_URL: `${proxyUrl}/insights/directory/v1`,
      POWERTOOLS_LOG_LEVEL: "ERROR",
    })) {
      vi.stubEnv(name, value);
    }
    vi.resetModules();
    const module = id.startsWith("Report")
      ? await import("../../lambdas/handlers/report.js")
      : await import("../../lambdas/handlers/audit.js");
    handlers.set(resource, module.handler as Handler);
  }
  handlersByState = Object.fromEntries(
    tasks(definition.States).map(([name, resource]) => {
      const handler = handlers.get(resource) as Handler;
      return [
        name,
        async (input: unknown) => {
          const item = input as { orgId?: string; controlId?: string };
          if (item.orgId && item.controlId) {
            const key = `${item.orgId} ${item.controlId}`;
            invocations.set(key, (invocations.get(key) ?? 0) + 1);
          }
          return (await handler(input)) as never;
        },
      ];
    }),
  );

  bucket = s3.client;
}, 60_000);

let handlersByState: Record<string, (input: never) => Promise<never>>;

afterAll(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  await new Promise((resolve) => proxy?.close(resolve));
  await sim?.close();
  await s3?.stop();
});

describe("the fan-out state machine, run locally with the real handlers", () => {
  let output: { portfolio?: { organizations: number; failed: number; withError: number; csv: string } };

  it("is a valid definition", () => {
    const { isValid, errorsText } = aslValidator(definition as never);
    expect(isValid, errorsText("\n")).toBe(true);
    expect(tasks(definition.States).map(([name]) => name)).toEqual([
      "Discover",
      ...CONTROL_IDS.map((id) => `Audit ${id}`),
      "Report",
    ]);
  });

  it("discovers the 50 organizations, audits each with each control, then reports them all", async () => {
    const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
    const execution = machine.run(
      { eventId: EVENT_ID, time: NOW.toISOString() },
      { overrides: { taskResourceLocalHandlers: handlersByState as never } },
    );
    // The execution's output is the Report step's: the portfolio's counts and keys.
    output = (await execution.result) as typeof output;
    expect(output.portfolio).toEqual(
      expect.objectContaining({
        organizations: ORG_IDS.length,
        failed: 0,
        withError: 1,
        csv: `reports/_portfolio/${DATE}.csv`,
      }),
    );
  }, 60_000);

  it("audits every (organization, control) exactly once and marks the event", async () => {
    expect(invocations.size).toBe(ORG_IDS.length * CONTROL_IDS.length);
    expect([...invocations.values()].every((count) => count === 1)).toBe(true);
    for (const orgId of ORG_IDS) {
      for (const controlId of CONTROL_IDS) {
        expect(await exists(layout.latest(orgId, controlId)), `${orgId} ${controlId}`).toBe(true);
        expect(await exists(stateKeys.event(orgId, controlId, EVENT_ID)), `${orgId} ${controlId}`).toBe(true);
      }
    }
  });

  it("records ERROR for the failing organization and PASS for the others", async () => {
    for (const controlId of CONTROL_IDS) {
      const failing = JSON.parse(await text(layout.latest(FAILING, controlId))) as ControlFinding;
      expect(failing.status).toBe("ERROR");
      const other = JSON.parse(await text(layout.latest(ORG_IDS[0] as string, controlId))) as ControlFinding;
      expect(other.status).not.toBe("ERROR");
    }
  });

  it("never has more organizations in flight at the simulator than MaxConcurrency", () => {
    expect(peakOrgs).toBeLessThanOrEqual(MAX_CONCURRENCY);
    // The bound means something only if organizations did run side by side.
    expect(peakOrgs).toBeGreaterThan(1);
  });

  it("writes the portfolio: one row per organization, the failing one with its ERROR controls", async () => {
    const html = await text(`reports/_portfolio/${DATE}.html`);
    expect(html).toContain(FAILING);
    const [header, ...rows] = parseCsv(await text(`reports/_portfolio/${DATE}.csv`));
    expect(rows.map((row) => row[0]).sort()).toEqual([...ORG_IDS].sort());
    const errorColumn = (header ?? []).findIndex((name) => /error/i.test(name));
    const reportColumn = (header ?? []).indexOf("Report");
    expect(errorColumn).toBeGreaterThan(0);
    const failingRow = rows.find((row) => row[0] === FAILING);
    expect(failingRow?.[reportColumn]).toBe("reported");
    expect(failingRow?.[errorColumn]).toBe(String(CONTROL_IDS.length));
    // Worst first: the only organization with ERROR controls comes first.
    expect(rows[0]?.[0]).toBe(FAILING);
    for (const row of rows.filter((r) => r[0] !== FAILING)) expect(row[errorColumn]).toBe("0");
  });
});
