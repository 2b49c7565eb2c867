/**
 * Generates contract/jumpcloud-api.json: a compact, structure-only JSON Schema view of the JumpCloud
 * operations this project uses, derived from the official Swagger 2.0 specs in
 * ../shared/jumpcloud-openapi (TheJumpCloud/jcapi-powershell, see that directory's README.md).
 *
 *   npm run contract:generate                 # writes contract/jumpcloud-api.json
 *   npm run contract:generate -- --specs DIR  # read the specs from DIR instead
 *   npm run contract:generate -- --check      # exit 1 if the committed file is out of date
 *
 * Only this script reads the specs. The validator (contract/validator.ts) and the tests read the
 * generated file only.
 *
 * What is kept from each schema: type, properties, required, enum, items, $ref, additionalProperties,
 * allOf, readOnly and the standard formats (date-time, date, email, uri). `x-nullable: true` becomes a
 * type union with "null". Everything else (description, example, title, default, min/max, x-*, ...)
 * is dropped. $refs are rewritten to "#/definitions/<family>.<Name>" with family v1 / v2 / di.
 *
 * Hand-declared overlays (things the PS specs lack or get wrong) are in the OVERLAYS section below,
 * each citing its source. Differences between the specs and ../shared/jumpcloud-api-notes.md are
 * printed as "WARN" lines; the spec wins for structure unless an overlay says otherwise.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

type Json = null | boolean | number | string | Json[] | JsonObject;
type JsonObject = { [key: string]: Json };
type Family = "v1" | "v2" | "di";
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

interface SpecFile {
  family: Family;
  file: string;
  repository: string;
  commit: string;
  path: string;
  /** Git blob id prefix as listed in ../shared/jumpcloud-openapi/README.md. */
  readmeBlob: string;
}

interface OperationDecl {
  family: Family;
  method: Method;
  /** Path as written in the spec, i.e. relative to the spec's basePath. */
  path: string;
  /** Request body is a partial update: the validator ignores top-level `required`. */
  partial?: true;
  /** Add the BT-V2 error responses (see ERROR_RESPONSES). */
  btErrors?: true;
}

interface ContractOperation {
  family: Family;
  request?: Json;
  partial?: true;
  overlay?: string;
  responses: Record<string, Json>;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUTPUT = join(REPO_ROOT, "contract", "jumpcloud-api.json");
const DEFAULT_SPECS = resolve(REPO_ROOT, "..", "shared", "jumpcloud-openapi");

const PS_REPO = "TheJumpCloud/jcapi-powershell";
const PS_COMMIT = "82c20c198515263ba38715e8efd1e0d5e5b9361b";

const SPEC_FILES: readonly SpecFile[] = [
  {
    family: "v1",
    file: "JumpCloud.SDK.V1.json",
    repository: PS_REPO,
    commit: PS_COMMIT,
    path: "SwaggerSpecs/JumpCloud.SDK.V1.json",
    readmeBlob: "fb766479f025",
  },
  {
    family: "v2",
    file: "JumpCloud.SDK.V2.json",
    repository: PS_REPO,
    commit: PS_COMMIT,
    path: "SwaggerSpecs/JumpCloud.SDK.V2.json",
    readmeBlob: "327421ad5717",
  },
  {
    family: "di",
    file: "JumpCloud.SDK.DirectoryInsights.json",
    repository: PS_REPO,
    commit: PS_COMMIT,
    path: "SwaggerSpecs/JumpCloud.SDK.DirectoryInsights.json",
    readmeBlob: "c53c32d78885",
  },
];

/** Not parsed; recorded in `source` because the error overlay below is copied from it by hand. */
const BT_V2 = {
  file: "baton-jcapi2-openapi.yaml",
  repository: "ConductorOne/baton-jumpcloud",
  commit: "03035be99e46169400e4ffcb255140f58c734ad5",
  path: "pkg/jcapi2/api/openapi.yaml",
  readmeBlob: "c9a27e7a2d34",
};

const OPERATIONS: readonly OperationDecl[] = [
  // ---- v1 (basePath /api/) ----
  { family: "v1", method: "GET", path: "/organizations" },
  { family: "v1", method: "GET", path: "/organizations/{id}" },
  { family: "v1", method: "PUT", path: "/organizations/{id}" },
  { family: "v1", method: "PUT", path: "/users/{id}" },
  { family: "v1", method: "GET", path: "/systemusers" },
  { family: "v1", method: "GET", path: "/systemusers/{id}" },
  { family: "v1", method: "GET", path: "/systems" },
  { family: "v1", method: "GET", path: "/systems/{id}" },
  { family: "v1", method: "PUT", path: "/systems/{id}" },
  { family: "v1", method: "GET", path: "/radiusservers" },
  { family: "v1", method: "GET", path: "/radiusservers/{id}" },
  { family: "v1", method: "PUT", path: "/radiusservers/{id}" },
  // ---- v2 (basePath /api/v2/) ----
  { family: "v2", method: "GET", path: "/authn/policies", btErrors: true },
  { family: "v2", method: "POST", path: "/authn/policies", btErrors: true },
  { family: "v2", method: "GET", path: "/authn/policies/{id}", btErrors: true },
  { family: "v2", method: "PATCH", path: "/authn/policies/{id}", btErrors: true, partial: true },
  { family: "v2", method: "DELETE", path: "/authn/policies/{id}", btErrors: true },
  { family: "v2", method: "GET", path: "/iplists", btErrors: true },
  { family: "v2", method: "POST", path: "/iplists", btErrors: true },
  { family: "v2", method: "GET", path: "/iplists/{id}", btErrors: true },
  { family: "v2", method: "PUT", path: "/iplists/{id}", btErrors: true },
  { family: "v2", method: "PATCH", path: "/iplists/{id}", btErrors: true, partial: true },
  { family: "v2", method: "DELETE", path: "/iplists/{id}", btErrors: true },
  { family: "v2", method: "GET", path: "/policies" },
  { family: "v2", method: "POST", path: "/policies" },
  { family: "v2", method: "GET", path: "/policies/{id}" },
  { family: "v2", method: "PUT", path: "/policies/{id}" },
  { family: "v2", method: "DELETE", path: "/policies/{id}" },
  { family: "v2", method: "GET", path: "/policies/{policy_id}/policystatuses" },
  { family: "v2", method: "GET", path: "/policytemplates" },
  { family: "v2", method: "GET", path: "/policytemplates/{id}" },
  { family: "v2", method: "GET", path: "/ldapservers" },
  { family: "v2", method: "GET", path: "/ldapservers/{id}" },
  { family: "v2", method: "PATCH", path: "/ldapservers/{id}" },
  // ---- Directory Insights (basePath /insights/directory/v1) ----
  { family: "di", method: "POST", path: "/events" },
  { family: "di", method: "POST", path: "/events/count" },
];

// =====================================================================================================
// OVERLAYS: hand-declared additions and corrections. Each one is listed in `source.overlays` of the
// output and in contract/README.md.
// =====================================================================================================

/**
 * Error schemas, copied by hand from BT-V2 (ConductorOne/baton-jumpcloud pkg/jcapi2/api/openapi.yaml,
 * components.schemas.Error / ErrorDetails / ErrorDetails_allOf). The PS specs drop almost all error
 * responses (jumpcloud-api-notes.md §0 "Errors"). `details` items are free-form objects following
 * google.rpc error_details; BT-V2 writes them as `{type: object, properties: {}}`, declared here with
 * an explicit `additionalProperties: true` so that closed-mode validation does not reject them.
 */
const ERROR_DEFINITIONS: Record<string, JsonObject> = {
  "v2.Error": {
    type: "object",
    properties: {
      code: { type: "integer" },
      message: { type: "string" },
      status: { type: "string" },
    },
  },
  "v2.ErrorDetails": {
    allOf: [
      { $ref: "#/definitions/v2.Error" },
      {
        type: "object",
        properties: {
          details: { type: "array", items: { type: "object", additionalProperties: true } },
        },
      },
    ],
  },
};

/**
 * BT-V2: every /authn/policies and /iplists operation declares 400 -> ErrorDetails and
 * 401/403/404/409/500 -> Error (jumpcloud-api-notes.md §5, §6).
 */
const ERROR_RESPONSES: Record<string, JsonObject> = {
  "400": { $ref: "#/definitions/v2.ErrorDetails" },
  "401": { $ref: "#/definitions/v2.Error" },
  "403": { $ref: "#/definitions/v2.Error" },
  "404": { $ref: "#/definitions/v2.Error" },
  "409": { $ref: "#/definitions/v2.Error" },
  "500": { $ref: "#/definitions/v2.Error" },
};

/**
 * GET /api/users (list admins) is undocumented: every spec copy has the path with only
 * `x-functionalities-tags: [admin]`. jumpcloud-api-notes.md §2: the official module (SUP Get-JCAdmin)
 * pages it with limit/skip and reads `results`; the records are shaped like `userreturn`.
 */
const OVERLAY_OPERATIONS: Record<string, ContractOperation> = {
  "GET /api/users": {
    family: "v1",
    overlay: "undocumented; shape from jumpcloud-api-notes.md §2 (SUP Get-JCAdmin.ps1)",
    responses: {
      "200": {
        type: "object",
        required: ["totalCount", "results"],
        properties: {
          totalCount: { type: "integer" },
          results: { type: "array", items: { $ref: "#/definitions/v1.userreturn" } },
        },
      },
    },
  },
};

interface DefinitionPatch {
  target: string;
  source: string;
  /** Receives the converted definition; throws if it no longer looks as expected. */
  apply(definition: JsonObject): void;
}

/**
 * Corrections to Directory Insights request schemas, which contradict the same spec's own prose.
 * Both only *widen* what is accepted; neither adds a field.
 */
const DEFINITION_PATCHES: readonly DefinitionPatch[] = [
  {
    // PS-DI declares TermConjunction as `{type: object}` (a Go map), but every example in PS-DI's
    // info.description ("Search", "Advanced Search: Compound Logic") sends `and`/`or` as a JSON array of
    // objects, e.g. {"and":[{"username":"root"},{"client_ip":"1.2.3.4"}]}, and the prose says "All of
    // the content of both `and` and `or` should be comma-separated JSON objects, enclosed in a JSON
    // array []". jumpcloud-api-notes.md §9 and §10.7 rely on the array form.
    target: "di.TermConjunction",
    source: "PS-DI info.description examples; jumpcloud-api-notes.md §9",
    apply(def) {
      if (def.type !== "object" || def.additionalProperties !== true) {
        throw new Error(`di.TermConjunction changed shape: ${JSON.stringify(def)}`);
      }
      def.type = ["array", "object"];
      def.items = { type: "object", additionalProperties: true };
    },
  },
  {
    // PS-XF (ApiTransform.ps1) changed the upstream `search_after` items from `object` to `string`
    // (shared/jumpcloud-openapi/README.md). Real values, echoed from the X-Search_after response
    // header, mix a number and a string, e.g. [1576181718000,"DZrPyW8BNsa9iKWoOm7h"] (notes §9).
    target: "di.EventQuery search_after items",
    source: "shared/jumpcloud-openapi/README.md (PS-XF change); jumpcloud-api-notes.md §9",
    apply(def) {
      const items = pointer(def, ["allOf", 1, "properties", "search_after", "items"]);
      if (!isObject(items) || items.type !== "string") {
        throw new Error(`di.EventQuery search_after changed shape: ${JSON.stringify(items)}`);
      }
      items.type = ["number", "string"];
    },
  },
  {
    // PS-V2 (and BT-V2) type `PolicyValue.value` as a string and list no `configFieldName`. Real tenants
    // send typed JSON: numbers for number fields (SUP-T New-/Set-JCPolicy tests send [int] values),
    // booleans for checkboxes (SUP-T asserts BeOfType boolean), arrays for tables and lists (KLA: the
    // OMA-URI `uriList`), strings for text; and clients find values by `configFieldName` (SUP-T,
    // Set-JCPolicyConfigField.ps1). jumpcloud-api-notes.md §12.1. This widens `value` and adds one field.
    target: "v2.PolicyValue value and configFieldName",
    source:
      "TheJumpCloud/support Pester tests (SUP-T), klaassen-consulting/jc (KLA); jumpcloud-api-notes.md §12.1",
    apply(def) {
      const properties = def.properties;
      const value = isObject(properties) ? properties.value : undefined;
      if (
        !isObject(properties) ||
        !isObject(value) ||
        value.type !== "string" ||
        "configFieldName" in properties
      ) {
        throw new Error(`v2.PolicyValue changed shape: ${JSON.stringify(def)}`);
      }
      properties.value = { type: ["array", "boolean", "number", "object", "string"] };
      properties.configFieldName = { type: "string" };
    },
  },
];

/**
 * Corrections to operations' responses where real-tenant evidence contradicts the spec. Applied before
 * the definitions are collected, so a new `$ref` is pulled in like any other.
 */
const OPERATION_PATCHES: readonly { target: string; source: string; apply(op: ContractOperation): void }[] = [
  {
    // PS-V2 declares `200 -> Policy` ({id, name, template}); SUP-T's Set-JCPolicy tests read the
    // returned policy's `values`, so the real answer carries them (jumpcloud-api-notes.md §12.1).
    target: "PUT /api/v2/policies/{id} 200 -> v2.PolicyWithDetails",
    source: "TheJumpCloud/support Set-JCPolicy.Tests.ps1 (SUP-T); jumpcloud-api-notes.md §12.1",
    apply(op) {
      const ok = op.responses["200"];
      if (!isObject(ok) || ok.$ref !== "#/definitions/v2.Policy") {
        throw new Error(`PUT /api/v2/policies/{id} 200 changed shape: ${JSON.stringify(ok)}`);
      }
      op.responses["200"] = { $ref: "#/definitions/v2.PolicyWithDetails" };
    },
  },
];

// =====================================================================================================
// Conversion
// =====================================================================================================

const STANDARD_FORMATS = new Set(["date-time", "date", "email", "uri"]);
/** Keywords dropped without comment. Anything else unknown (oneOf, anyOf, not, ...) is an error. */
const DROPPED_KEYWORDS = new Set([
  "description",
  "example",
  "examples",
  "title",
  "default",
  "maxLength",
  "minLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
  "uniqueItems",
  "pattern",
  "multipleOf",
  "discriminator",
  "externalDocs",
  "xml",
]);

const warnings: string[] = [];
function warn(message: string): void {
  warnings.push(message);
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asObject(value: Json | undefined, where: string): JsonObject {
  if (!isObject(value)) throw new Error(`${where}: expected an object, got ${JSON.stringify(value)}`);
  return value;
}

function pointer(root: Json, path: readonly (string | number)[]): Json | undefined {
  let current: Json | undefined = root;
  for (const key of path) {
    if (typeof key === "number") current = Array.isArray(current) ? current[key] : undefined;
    else current = isObject(current) ? current[key] : undefined;
  }
  return current;
}

function clone<T extends Json>(value: T): T {
  return structuredClone(value);
}

class Converter {
  readonly definitions = new Map<string, Json>();
  private readonly pending: string[] = [];

  constructor(private readonly specs: ReadonlyMap<Family, JsonObject>) {}

  /** Converts a schema of `family`; records every definition it references for later conversion. */
  schema(input: Json | undefined, family: Family, where: string): Json {
    if (typeof input === "boolean") return input;
    const s = asObject(input, where);
    if (typeof s.$ref === "string") {
      if (s["x-nullable"] === true) throw new Error(`${where}: x-nullable next to $ref is not supported`);
      return { $ref: this.ref(s.$ref, family, where) };
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(s)) {
      switch (key) {
        case "type":
        case "required":
        case "enum":
        case "readOnly":
          out[key] = clone(value);
          break;
        case "format":
          if (typeof value === "string" && STANDARD_FORMATS.has(value)) out.format = value;
          break;
        case "properties": {
          const props: JsonObject = {};
          for (const [name, prop] of Object.entries(asObject(value, `${where}.properties`))) {
            props[name] = this.schema(prop, family, `${where}.${name}`);
          }
          out.properties = props;
          break;
        }
        case "items":
          out.items = Array.isArray(value)
            ? value.map((item, i) => this.schema(item, family, `${where}[${i}]`))
            : this.schema(value, family, `${where}[]`);
          break;
        case "additionalProperties":
          out.additionalProperties =
            typeof value === "boolean" ? value : this.schema(value, family, `${where}{}`);
          break;
        case "allOf":
          if (!Array.isArray(value)) throw new Error(`${where}: allOf must be an array`);
          out.allOf = value.map((item, i) => this.schema(item, family, `${where}.allOf[${i}]`));
          break;
        default:
          if (key.startsWith("x-") || DROPPED_KEYWORDS.has(key)) break;
          throw new Error(`${where}: unsupported schema keyword "${key}" (would change meaning if dropped)`);
      }
    }
    if (s["x-nullable"] === true) {
      if (typeof out.type === "string") out.type = [out.type, "null"];
      else if (Array.isArray(out.type) && !out.type.includes("null")) out.type = [...out.type, "null"];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    }
    return out;
  }

  private ref(ref: string, family: Family, where: string): string {
    const prefix = "#/definitions/";
    if (!ref.startsWith(prefix)) throw new Error(`${where}: unsupported $ref ${ref}`);
    const name = ref.slice(prefix.length);
    if (name.includes("/") || name.includes("~"))
      throw new Error(`${where}: unsupported definition name ${name}`);
    const qualified = `${family}.${name}`;
    if (!this.definitions.has(qualified) && !this.pending.includes(qualified)) this.pending.push(qualified);
    return `${prefix}${qualified}`;
  }

  /** Converts every pending definition, transitively. */
  drain(): void {
    for (let next = this.pending.shift(); next !== undefined; next = this.pending.shift()) {
      if (this.definitions.has(next)) continue; // e.g. declared by an overlay meanwhile
      const dot = next.indexOf(".");
      const family = next.slice(0, dot) as Family;
      const name = next.slice(dot + 1);
      const spec = this.specs.get(family);
      const raw = spec && isObject(spec.definitions) ? spec.definitions[name] : undefined;
      if (raw === undefined) throw new Error(`definition ${next} is referenced but missing from the spec`);
      this.definitions.set(next, null); // placeholder: marks it as in progress (recursive refs)
      this.definitions.set(next, this.schema(raw, family, next));
    }
  }

  /** Registers $refs found in an already-converted (overlay) schema. */
  collectRefs(schema: Json, where: string): void {
    if (Array.isArray(schema)) {
      for (const item of schema) this.collectRefs(item, where);
    } else if (isObject(schema)) {
      for (const [key, value] of Object.entries(schema)) {
        if (key === "$ref" && typeof value === "string") {
          const name = value.replace(/^#\/definitions\//, "");
          if (!this.definitions.has(name) && !this.pending.includes(name)) this.pending.push(name);
        } else {
          this.collectRefs(value, where);
        }
      }
    }
  }
}

function basePathOf(spec: JsonObject, file: string): string {
  const base = spec.basePath;
  if (typeof base !== "string") throw new Error(`${file}: no basePath`);
  return base.replace(/\/+$/, "");
}

function buildOperation(
  decl: OperationDecl,
  spec: JsonObject,
  converter: Converter,
): { key: string; operation: ContractOperation } {
  const file = SPEC_FILES.find((f) => f.family === decl.family)?.file ?? decl.family;
  const key = `${decl.method} ${basePathOf(spec, file)}${decl.path}`;
  const pathItem = isObject(spec.paths) ? spec.paths[decl.path] : undefined;
  const op = isObject(pathItem) ? pathItem[decl.method.toLowerCase()] : undefined;
  if (!isObject(pathItem) || !isObject(op)) {
    throw new Error(
      `${key}: operation missing from ${file} (paths["${decl.path}"].${decl.method.toLowerCase()})`,
    );
  }
  const params = [
    ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
    ...(Array.isArray(op.parameters) ? op.parameters : []),
  ].map((p, i) => resolveLocalRef(spec, p, "#/parameters/", `${key} parameter ${i}`));
  const bodies = params.filter((p) => p.in === "body");
  if (bodies.length > 1) throw new Error(`${key}: more than one body parameter`);

  const operation: ContractOperation = { family: decl.family, responses: {} };
  const body = bodies[0];
  if (body) operation.request = converter.schema(body.schema, decl.family, `${key} body`);
  if (decl.partial) {
    if (!body) throw new Error(`${key}: declared partial but has no request body`);
    operation.partial = true;
  }
  for (const [status, rawResponse] of Object.entries(asObject(op.responses, `${key} responses`))) {
    if (!/^\d{3}$/.test(status)) {
      warn(`${key}: ignoring non-numeric response key "${status}"`);
      continue;
    }
    const response = resolveLocalRef(spec, rawResponse, "#/responses/", `${key} ${status}`);
    operation.responses[status] =
      response.schema === undefined ? {} : converter.schema(response.schema, decl.family, `${key} ${status}`);
  }
  if (!Object.keys(operation.responses).some((s) => s.startsWith("2"))) {
    throw new Error(`${key}: the spec declares no success response`);
  }
  if (decl.btErrors) {
    for (const [status, schema] of Object.entries(ERROR_RESPONSES)) {
      if (operation.responses[status] !== undefined) {
        warn(`${key}: spec already declares ${status}; keeping the spec's schema over the BT-V2 overlay`);
      } else {
        operation.responses[status] = clone(schema);
      }
    }
  }
  return { key, operation };
}

function resolveLocalRef(
  spec: JsonObject,
  value: Json | undefined,
  prefix: string,
  where: string,
): JsonObject {
  const obj = asObject(value, where);
  if (typeof obj.$ref !== "string") return obj;
  if (!obj.$ref.startsWith(prefix)) throw new Error(`${where}: unsupported $ref ${obj.$ref}`);
  const section = prefix === "#/parameters/" ? spec.parameters : spec.responses;
  const target = isObject(section) ? section[obj.$ref.slice(prefix.length)] : undefined;
  return asObject(target, `${where} -> ${obj.$ref}`);
}

// =====================================================================================================
// Notes-vs-spec checks (WARN lines only; the spec is kept as is unless an overlay says otherwise)
// =====================================================================================================

class Checks {
  constructor(
    private readonly definitions: ReadonlyMap<string, Json>,
    private readonly operations: Readonly<Record<string, ContractOperation>>,
    private readonly specs: ReadonlyMap<Family, JsonObject>,
  ) {}

  /** Follows $refs (and allOf, merging properties) and returns the object schema at `path`. */
  private resolve(schema: Json | undefined): JsonObject | undefined {
    let current = schema;
    for (let depth = 0; isObject(current) && typeof current.$ref === "string" && depth < 20; depth++) {
      current = this.definitions.get(current.$ref.replace(/^#\/definitions\//, "")) ?? undefined;
    }
    if (!isObject(current)) return undefined;
    if (!Array.isArray(current.allOf)) return current;
    const merged: JsonObject = {
      ...current,
      properties: { ...(isObject(current.properties) ? current.properties : {}) },
    };
    const required = new Set(Array.isArray(current.required) ? current.required : []);
    for (const part of current.allOf) {
      const resolved = this.resolve(part);
      if (isObject(resolved?.properties)) Object.assign(merged.properties as JsonObject, resolved.properties);
      for (const r of Array.isArray(resolved?.required) ? resolved.required : []) required.add(r);
    }
    merged.required = [...required];
    delete merged.allOf;
    return merged;
  }

  /** `target` is "<definition>" or "<definition>/<prop>/<prop>..." (properties, `[]` for items). */
  private at(target: string): JsonObject | undefined {
    const [head, ...rest] = target.split("/");
    let current = this.resolve(head === undefined ? undefined : { $ref: `#/definitions/${head}` });
    for (const step of rest) {
      if (!current) return undefined;
      if (step === "[]") current = this.resolve(current.items);
      else current = this.resolve(isObject(current.properties) ? current.properties[step] : undefined);
    }
    return current;
  }

  private props(target: string): string[] | undefined {
    const schema = this.at(target);
    return schema && isObject(schema.properties) ? Object.keys(schema.properties).sort() : undefined;
  }

  exactProps(section: string, target: string, expected: readonly string[]): void {
    const actual = this.props(target);
    if (!actual) {
      warn(`notes ${section}: ${target} not found or has no properties in the spec`);
      return;
    }
    const missing = expected.filter((p) => !actual.includes(p));
    const extra = actual.filter((p) => !expected.includes(p));
    if (missing.length || extra.length) {
      warn(
        `notes ${section}: ${target} properties differ from the notes` +
          (missing.length ? `; spec lacks [${missing.join(", ")}]` : "") +
          (extra.length ? `; spec also has [${extra.join(", ")}]` : ""),
      );
    }
  }

  hasProps(section: string, target: string, expected: readonly string[]): void {
    const actual = this.props(target) ?? [];
    const missing = expected.filter((p) => !actual.includes(p));
    if (missing.length) warn(`notes ${section}: ${target} lacks [${missing.join(", ")}] in the spec`);
  }

  lacksProps(section: string, target: string, unexpected: readonly string[]): void {
    const actual = this.props(target) ?? [];
    const present = unexpected.filter((p) => actual.includes(p));
    if (present.length)
      warn(`notes ${section}: ${target} unexpectedly has [${present.join(", ")}] in the spec`);
  }

  enumIs(section: string, target: string, expected: readonly Json[]): void {
    const actual = this.at(target)?.enum;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      warn(
        `notes ${section}: ${target} enum is ${JSON.stringify(actual)}, notes say ${JSON.stringify(expected)}`,
      );
    }
  }

  typeIs(section: string, target: string, expected: Json): void {
    const actual = this.at(target)?.type;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      warn(
        `notes ${section}: ${target} type is ${JSON.stringify(actual)}, notes say ${JSON.stringify(expected)}`,
      );
    }
  }

  requiredIs(section: string, target: string, expected: readonly string[]): void {
    const actual = [...((this.at(target)?.required as string[] | undefined) ?? [])].sort();
    if (JSON.stringify(actual) !== JSON.stringify([...expected].sort())) {
      warn(
        `notes ${section}: ${target} required is ${JSON.stringify(actual)}, notes say ${JSON.stringify(expected)}`,
      );
    }
  }

  successIs(section: string, operation: string, status: string): void {
    const responses = this.operations[operation]?.responses ?? {};
    const success = Object.keys(responses).filter((s) => s.startsWith("2"));
    if (success.join() !== status) {
      warn(`notes ${section}: ${operation} success status is ${success.join("/")}, notes say ${status}`);
    }
  }

  noMethod(section: string, family: Family, path: string, method: string): void {
    const item = pointer(this.specs.get(family) ?? {}, ["paths", path]);
    if (isObject(item) && item[method.toLowerCase()] !== undefined) {
      warn(`notes ${section}: the spec has ${method} ${path}, the notes say it does not exist`);
    }
  }

  sameAsSpecDefinition(name: string, converted: Json): void {
    const spec = this.specs.get("v2");
    const raw = pointer(spec ?? {}, ["definitions", name.replace(/^v2\./, "")]);
    if (raw === undefined) return;
    const fromSpec = new Converter(this.specs).schema(raw, "v2", name);
    if (JSON.stringify(sortKeys(fromSpec)) !== JSON.stringify(sortKeys(converted))) {
      warn(`overlay ${name} differs structurally from PS-V2's own definition: ${JSON.stringify(fromSpec)}`);
    }
  }
}

function runChecks(checks: Checks): void {
  // §1 Organizations
  checks.exactProps("§1", "v1.organizationslist/results/[]", ["_id", "displayName", "logoUrl"]);
  checks.hasProps("§1", "v1.organizationsettings", [
    "requireAdminMFA",
    "passwordPolicy",
    "passwordCompliance",
  ]);
  checks.typeIs("§1", "v1.organizationsettings/requireAdminMFA", "boolean");
  checks.typeIs("§1", "v1.organizationsettings/features/directoryInsights/enabled", "boolean");
  checks.enumIs("§1", "v1.organizationsettings/passwordCompliance", ["custom", "pci3", "windows"]);
  checks.lacksProps("§1", "v1.organizationsettingsput", [
    "requireAdminMFA",
    "agentVersion",
    "betaFeatures",
    "chromeDTCEnabled",
    "disableCommandRunner",
    "enableGoogleApps",
    "enableO365",
    "enableUserPortalAgentInstall",
    "pendingDelete",
    "windowsMDM",
  ]);
  checks.typeIs("§1", "v1.organizationsettingsput/features/directoryInsights/enabled", "boolean");
  checks.lacksProps("§1", "v1.organizationsettingsput/trustedAppConfig", ["checksum"]);
  // §2 Administrators
  checks.hasProps("§2", "v1.userreturn", [
    "_id",
    "email",
    "enableMultiFactor",
    "totpEnrolled",
    "roleName",
    "suspended",
  ]);
  checks.exactProps("§2", "v1.userput", [
    "apiKeyAllowed",
    "email",
    "enableMultiFactor",
    "firstname",
    "growthData",
    "lastWhatsNewChecked",
    "lastname",
    "roleName",
    "roleNames",
  ]);
  // §3 System users
  checks.hasProps("§3", "v1.systemuserreturn", [
    "_id",
    "username",
    "email",
    "state",
    "activated",
    "suspended",
    "account_locked",
    "totp_enabled",
    "enable_user_portal_multifactor",
    "mfa",
    "mfaEnrollment",
    "admin",
  ]);
  checks.enumIs("§3", "v1.systemuserreturn/state", ["STAGED", "ACTIVATED", "SUSPENDED"]);
  checks.exactProps("§3", "v1.systemuserreturn/mfa", [
    "configured",
    "exclusion",
    "exclusionDays",
    "exclusionUntil",
  ]);
  // §4 Systems
  checks.hasProps("§4", "v1.JcSystem", [
    "_id",
    "displayName",
    "hostname",
    "os",
    "osFamily",
    "active",
    "lastContact",
    "allowMultiFactorAuthentication",
    "allowSshPasswordAuthentication",
    "allowSshRootLogin",
    "allowPublicKeyAuthentication",
    "fde",
  ]);
  checks.exactProps("§4", "v1.JcSystem/fde", ["active", "keyPresent"]);
  checks.hasProps("§4", "v1.systemput", [
    "attributes",
    "allowSshRootLogin",
    "allowMultiFactorAuthentication",
  ]);
  checks.lacksProps("§4", "v1.systemput", ["tags"]);
  // §5 Authn policies
  checks.exactProps("§5", "v2.AuthnPolicy", [
    "id",
    "name",
    "description",
    "disabled",
    "type",
    "conditions",
    "effect",
    "targets",
  ]);
  checks.enumIs("§5", "v2.AuthnPolicy/type", ["user_portal", "application", "ldap", "admin_portal"]);
  checks.enumIs("§5", "v2.AuthnPolicy/effect/action", ["allow", "deny", "unknown"]);
  checks.requiredIs("§5", "v2.AuthnPolicy/effect", ["action"]);
  checks.typeIs("§5", "v2.AuthnPolicy/effect/obligations/mfaFactors/[]", "object");
  checks.enumIs("§5", "v2.AuthnPolicy/effect/obligations/mfaFactors/[]/type", [
    "DURT",
    "WEBAUTHN",
    "PUSH",
    "DUO",
    "TOTP",
  ]);
  checks.enumIs("§5", "v2.AuthnPolicy/effect/obligations/userVerification/requirement", [
    "none",
    "optional",
    "required",
  ]);
  checks.exactProps("§5", "v2.AuthnPolicy/targets", ["users", "userGroups", "resources", "userAttributes"]);
  checks.enumIs("§5", "v2.AuthnPolicy/targets/resources/[]/type", [
    "admin_portal",
    "user_portal",
    "application",
    "ldap",
  ]);
  checks.successIs("§5", "POST /api/v2/authn/policies", "201");
  checks.successIs("§5", "DELETE /api/v2/authn/policies/{id}", "200");
  checks.noMethod("§5", "v2", "/authn/policies/{id}", "PUT");
  // §6 IP lists
  checks.exactProps("§6", "v2.IPList", ["id", "name", "description", "ips"]);
  checks.requiredIs("§6", "v2.IPList", []);
  checks.exactProps("§6", "v2.IPListRequest", ["name", "description", "ips"]);
  checks.successIs("§6", "POST /api/v2/iplists", "201");
  checks.successIs("§6", "DELETE /api/v2/iplists/{id}", "200");
  // §7 Device policies
  checks.exactProps("§7", "v2.Policy", ["id", "name", "template"]);
  checks.exactProps("§7", "v2.PolicyWithDetails", [
    "id",
    "name",
    "notes",
    "template",
    "values",
    "configFields",
  ]);
  checks.requiredIs("§7", "v2.PolicyCreateRequest", ["name", "template"]);
  checks.requiredIs("§7", "v2.PolicyUpdateRequest", ["name"]);
  // Checked after the §12.1 overlay: configFieldName added, value typed JSON (no single type to check).
  checks.exactProps("§12.1", "v2.PolicyValue", ["configFieldID", "configFieldName", "value", "sensitive"]);
  checks.successIs("§7", "POST /api/v2/policies", "201");
  checks.successIs("§7", "DELETE /api/v2/policies/{id}", "204");
  checks.exactProps("§7", "v2.PolicyResult", [
    "id",
    "policyID",
    "systemID",
    "startedAt",
    "endedAt",
    "success",
    "state",
    "exitStatus",
    "detail",
    "stdOut",
    "stdErr",
  ]);
  checks.typeIs("§7", "v2.PolicyResult/success", "boolean");
  checks.exactProps("§7", "v2.PolicyTemplate", [
    "id",
    "name",
    "displayName",
    "description",
    "osMetaFamily",
    "osRestrictions",
    "deliveryTypes",
    "activation",
    "behavior",
    "alert",
    "reference",
    "state",
  ]);
  checks.enumIs("§7", "v2.PolicyTemplate/osMetaFamily", [
    "linux",
    "darwin",
    "windows",
    "ios",
    "universal",
    "android",
  ]);
  // notes: "PolicyTemplateWithDetails, which adds configFields" (i.e. PolicyTemplate + configFields)
  checks.exactProps("§7", "v2.PolicyTemplateWithDetails", [
    ...["id", "name", "displayName", "description", "osMetaFamily", "osRestrictions", "deliveryTypes"],
    ...["activation", "behavior", "alert", "reference", "state", "configFields"],
  ]);
  checks.requiredIs("§7", "v2.PolicyTemplateConfigField", ["id", "name"]);
  // §8 LDAP and RADIUS
  checks.exactProps("§8", "v2.ldap-server", [
    "id",
    "name",
    "userLockoutAction",
    "userPasswordExpirationAction",
  ]);
  checks.enumIs("§8", "v2.ldap-server/userLockoutAction", ["disable", "remove"]);
  checks.enumIs("§8", "v2.ldap-server/userPasswordExpirationAction", ["disable", "remove"]);
  const radius = [
    ...[
      "_id",
      "name",
      "networkSourceIp",
      "sharedSecret",
      "organization",
      "mfa",
      "authIdp",
      "userLockoutAction",
    ],
    ...[
      "userPasswordExpirationAction",
      "userPasswordEnabled",
      "userCertEnabled",
      "deviceCertEnabled",
      "caCert",
    ],
    ...["radsecEnabled", "requireRadsec", "requireTlsAuth"],
  ];
  checks.exactProps("§8", "v1.radiusserver", radius);
  checks.enumIs("§8", "v1.radiusserver/mfa", ["DISABLED", "ENABLED", "REQUIRED", "ALWAYS"]);
  checks.enumIs("§8", "v1.radiusserver/authIdp", ["JUMPCLOUD", "AZURE"]);
  checks.typeIs("§8", "v1.radiusserver/userLockoutAction", "string");
  checks.exactProps(
    "§8 (radiusserverput = radiusserver minus sharedSecret)",
    "v1.radiusserverput",
    radius.filter((p) => p !== "sharedSecret"),
  );
  // §9 Directory Insights
  checks.requiredIs("§9", "di.EventQuery", ["service", "start_time"]);
  checks.exactProps("§9", "di.EventQuery", [
    ...["service", "start_time", "end_time", "limit", "skip", "sort", "fields"],
    ...["search_after", "search_term", "q", "exact_match"],
  ]);
  checks.exactProps("§9", "di.EventCount", ["count"]);
}

// =====================================================================================================
// Main
// =====================================================================================================

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key] as Json);
  return out;
}

function gitBlobId(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

const METHOD_ORDER: readonly string[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

function compareOperationKeys(a: string, b: string): number {
  const [ma = "", pa = ""] = a.split(" ");
  const [mb = "", pb = ""] = b.split(" ");
  if (pa !== pb) return pa < pb ? -1 : 1;
  return METHOD_ORDER.indexOf(ma) - METHOD_ORDER.indexOf(mb);
}

function main(): void {
  const { values } = parseArgs({
    options: { specs: { type: "string" }, check: { type: "boolean", default: false } },
    strict: true,
  });
  const specsDir = values.specs ? resolve(values.specs) : DEFAULT_SPECS;
  if (!existsSync(specsDir)) throw new Error(`spec directory not found: ${specsDir} (use --specs DIR)`);

  const specs = new Map<Family, JsonObject>();
  const files: JsonObject = {};
  for (const f of SPEC_FILES) {
    const content = readFileSync(join(specsDir, f.file));
    const blob = gitBlobId(content);
    if (!blob.startsWith(f.readmeBlob)) {
      warn(`${f.file}: git blob ${blob} does not match the README's ${f.readmeBlob}; the spec has changed`);
    }
    const spec = asObject(JSON.parse(content.toString("utf8")) as Json, f.file);
    if (spec.swagger !== "2.0") throw new Error(`${f.file}: expected Swagger 2.0`);
    specs.set(f.family, spec);
    files[f.file] = {
      family: f.family,
      repository: f.repository,
      commit: f.commit,
      path: f.path,
      blob,
      basePath: basePathOf(spec, f.file),
    };
  }
  files[BT_V2.file] = {
    repository: BT_V2.repository,
    commit: BT_V2.commit,
    path: BT_V2.path,
    blob: BT_V2.readmeBlob,
    use: "not parsed; error schemas hand-copied into the overlay",
  };

  const converter = new Converter(specs);
  const operations: Record<string, ContractOperation> = {};
  for (const decl of OPERATIONS) {
    const spec = specs.get(decl.family);
    if (!spec) throw new Error(`no spec for ${decl.family}`);
    const { key, operation } = buildOperation(decl, spec, converter);
    if (operations[key]) throw new Error(`duplicate operation ${key}`);
    operations[key] = operation;
  }
  for (const [key, operation] of Object.entries(OVERLAY_OPERATIONS)) {
    if (operations[key]) throw new Error(`overlay ${key} collides with a spec operation`);
    const [method = "", path = ""] = key.split(" ");
    const family = SPEC_FILES.find((f) => f.family === operation.family);
    const specPath = path.replace(/^\/api/, "");
    const specOp = pointer(specs.get(operation.family) ?? {}, ["paths", specPath, method.toLowerCase()]);
    if (specOp !== undefined)
      warn(`${key}: now documented in ${family?.file}; consider dropping the overlay`);
    operations[key] = clone(operation as unknown as JsonObject) as unknown as ContractOperation;
    converter.collectRefs(operation as unknown as JsonObject, key);
  }
  for (const patch of OPERATION_PATCHES) {
    const key = patch.target.split(" ").slice(0, 2).join(" ");
    const operation = operations[key];
    if (!operation) throw new Error(`patch target ${key} is not in the contract`);
    patch.apply(operation);
    converter.collectRefs(operation as unknown as JsonObject, key);
  }
  for (const [name, schema] of Object.entries(ERROR_DEFINITIONS)) {
    converter.definitions.set(name, clone(schema));
    converter.collectRefs(schema, name);
  }
  converter.drain();

  for (const patch of DEFINITION_PATCHES) {
    const name = patch.target.split(" ")[0] ?? "";
    const def = converter.definitions.get(name);
    if (!isObject(def)) throw new Error(`patch target ${name} is not in the contract`);
    patch.apply(def);
  }

  const checks = new Checks(converter.definitions, operations, specs);
  for (const [name, schema] of Object.entries(ERROR_DEFINITIONS)) checks.sameAsSpecDefinition(name, schema);
  runChecks(checks);
  // The patches above exist because the spec disagrees with the notes; say so every run.
  for (const patch of [...DEFINITION_PATCHES, ...OPERATION_PATCHES]) {
    warn(`spec corrected by overlay: ${patch.target} (source: ${patch.source})`);
  }

  const overlays: Json[] = [
    ...Object.entries(OVERLAY_OPERATIONS).map(([key, op]) => ({ target: key, source: op.overlay ?? "" })),
    { target: "v2.Error, v2.ErrorDetails", source: "BT-V2 components.schemas.Error / ErrorDetails" },
    {
      target: "responses 400/401/403/404/409/500 of /api/v2/authn/policies* and /api/v2/iplists*",
      source: "BT-V2 paths",
    },
    {
      target: "partial request bodies: PATCH /api/v2/authn/policies/{id}, PATCH /api/v2/iplists/{id}",
      source: 'PS-V2 descriptions and samples (partial updates, e.g. {"disabled": false}); notes §5, §6',
    },
    ...DEFINITION_PATCHES.map((p) => ({ target: p.target, source: p.source })),
    ...OPERATION_PATCHES.map((p) => ({ target: p.target, source: p.source })),
  ];

  const definitions: JsonObject = {};
  for (const name of [...converter.definitions.keys()].sort()) {
    definitions[name] = converter.definitions.get(name) ?? null;
  }
  const orderedOperations: JsonObject = {};
  for (const key of Object.keys(operations).sort(compareOperationKeys)) {
    orderedOperations[key] = sortKeys(operations[key] as unknown as JsonObject);
  }
  const output = {
    source: sortKeys({ generatedBy: "scripts/generate-contract.ts", files, overlays }),
    definitions: sortKeys(definitions),
    operations: orderedOperations,
  };
  const text = `${JSON.stringify(output, null, 2)}\n`;

  for (const w of warnings) console.warn(`WARN ${w}`);
  const rel = relative(process.cwd(), OUTPUT) || OUTPUT;
  if (values.check) {
    const current = existsSync(OUTPUT) ? readFileSync(OUTPUT, "utf8") : "";
    if (current !== text) {
      console.error(`${rel} is out of date; run npm run contract:generate`);
      process.exitCode = 1;
      return;
    }
    console.log(`${rel} is up to date`);
    return;
  }
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, text);
  console.log(
    `wrote ${rel}: ${Object.keys(orderedOperations).length} operations, ` +
      `${Object.keys(definitions).length} definitions, ${Buffer.byteLength(text)} bytes`,
  );
}

main();
