/**
 * "Not on this plan" must be what the whole feature says, not one endpoint: a 402 on authentication
 * policies while IP lists answer 200 is no plan any organization can have. When one dataset of a
 * feature is refused (402/403), the feature's other endpoints are asked too (cheaply, when the run did
 * not read them anyway); if any of them answers, the refusal is an inconsistency and an ERROR, never a
 * reason to judge a control without the data.
 */
import type { JumpCloudClient } from "../jumpcloud/client.js";
import { JumpCloudError } from "../jumpcloud/errors.js";
import { countEvents } from "../jumpcloud/resources.js";
import {
  type CollectedSnapshot,
  DATASET_FEATURE,
  type DatasetError,
  type DatasetName,
  type PlanFeature,
} from "./snapshot.js";

/** Endpoint of each plan-gated dataset, for messages. */
const ENDPOINTS: Partial<Record<DatasetName, string>> = {
  authnPolicies: "/api/v2/authn/policies",
  ipLists: "/api/v2/iplists",
  insightsActivity: "/insights/directory/v1/events/count",
  keyEvents: "/insights/directory/v1/events",
};

const REFUSALS = new Set(["NOT_ON_PLAN", "FORBIDDEN"]);

/** The cheapest request that shows whether a gated dataset's endpoint answers. */
async function probe(client: JumpCloudClient, dataset: DatasetName, now: Date): Promise<void> {
  if (dataset === "authnPolicies" || dataset === "ipLists") {
    await client.get(ENDPOINTS[dataset] as string);
    return;
  }
  await countEvents(client, {
    service: ["all"],
    start_time: new Date(now.getTime() - 3_600_000).toISOString(),
    end_time: now.toISOString(),
  });
}

type Answer =
  | { dataset: DatasetName; answer: "ok" }
  | { dataset: DatasetName; answer: "refused"; error: DatasetError | { code: string; status?: number } }
  | { dataset: DatasetName; answer: "other" };

function statusText(error: { code: string; status?: number }): string {
  return error.status ? String(error.status) : error.code;
}

/** Rewrites plan refusals that another endpoint of the same feature contradicts into PLAN_INCONSISTENT errors. */
export async function reconcilePlanAnswers(
  client: JumpCloudClient,
  collected: CollectedSnapshot,
  now: Date,
): Promise<CollectedSnapshot> {
  const features = new Set<PlanFeature>();
  for (const [dataset, entry] of Object.entries(collected) as [
    DatasetName,
    CollectedSnapshot[DatasetName],
  ][]) {
    const feature = DATASET_FEATURE[dataset];
    if (feature && entry && !entry.ok && REFUSALS.has(entry.error.code)) features.add(feature);
  }
  if (features.size === 0) return collected;
  const out: Record<string, unknown> = { ...collected };
  for (const feature of features) {
    const datasets = (Object.keys(DATASET_FEATURE) as DatasetName[]).filter(
      (d) => DATASET_FEATURE[d] === feature,
    );
    const answers: Answer[] = await Promise.all(
      datasets.map(async (dataset): Promise<Answer> => {
        const entry = collected[dataset];
        if (entry?.ok) return { dataset, answer: "ok" };
        if (entry && !entry.ok)
          return REFUSALS.has(entry.error.code)
            ? { dataset, answer: "refused", error: entry.error }
            : { dataset, answer: "other" };
        try {
          await probe(client, dataset, now);
          return { dataset, answer: "ok" };
        } catch (error) {
          if (error instanceof JumpCloudError && REFUSALS.has(error.code))
            return { dataset, answer: "refused", error: { code: error.code, status: error.status } };
          return { dataset, answer: "other" };
        }
      }),
    );
    const answered = answers.filter((a) => a.answer === "ok").map((a) => ENDPOINTS[a.dataset]);
    if (answered.length === 0) continue;
    for (const a of answers) {
      const entry = collected[a.dataset];
      if (a.answer !== "refused" || !entry || entry.ok) continue;
      const error: DatasetError = {
        dataset: a.dataset,
        code: "PLAN_INCONSISTENT",
        message: `JumpCloud answered ${statusText(a.error)} on ${ENDPOINTS[a.dataset]} but ${answered.join(" and ")} of the same feature answered; no plan has one without the other, so this is not read as "not on this plan"`,
        ...(entry.error.status !== undefined ? { status: entry.error.status } : {}),
      };
      out[a.dataset] = { ok: false, error };
    }
  }
  return out as CollectedSnapshot;
}
