/** JumpCloud data-centre regions and their API hosts (notes §0 "Base URLs"). */
export const JUMPCLOUD_REGIONS = {
  us: {
    consoleUrl: "https://console.jumpcloud.com",
    insightsUrl: "https://api.jumpcloud.com/insights/directory/v1",
  },
  eu: {
    consoleUrl: "https://console.eu.jumpcloud.com",
    insightsUrl: "https://api.eu.jumpcloud.com/insights/directory/v1",
  },
  in: {
    consoleUrl: "https://console.in.jumpcloud.com",
    insightsUrl: "https://api.in.jumpcloud.com/insights/directory/v1",
  },
} as const;

/** A JumpCloud region id: `us`, `eu` or `in`. */
export type JumpCloudRegion = keyof typeof JUMPCLOUD_REGIONS;

/** The two hosts the client talks to: the console (v1 `/api`, v2 `/api/v2`) and Directory Insights. */
export interface JumpCloudEndpoints {
  /** Origin of the console API, without `/api` (e.g. `https://console.jumpcloud.com`). */
  readonly consoleUrl: string;
  /** Base of Directory Insights, including `/insights/directory/v1`. */
  readonly insightsUrl: string;
}

/** Whether a string names a known region. */
export function isJumpCloudRegion(value: string): value is JumpCloudRegion {
  return Object.hasOwn(JUMPCLOUD_REGIONS, value);
}

/** Resolves the hosts for a region, letting explicit base URLs (simulator, proxies) override either one. */
export function resolveEndpoints(options: {
  region?: JumpCloudRegion;
  baseUrl?: string;
  insightsUrl?: string;
}): JumpCloudEndpoints {
  const region = JUMPCLOUD_REGIONS[options.region ?? "us"];
  const consoleUrl = trimSlash(options.baseUrl ?? region.consoleUrl);
  // A base-URL override without an insights override (e.g. a proxy) serves Insights under the same origin.
  const insightsUrl = trimSlash(
    options.insightsUrl ?? (options.baseUrl ? `${consoleUrl}/insights/directory/v1` : region.insightsUrl),
  );
  return { consoleUrl, insightsUrl };
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
