/**
 * Stands in for `http2-wrapper` in the Lambda bundles only (`lib/bundling.ts` aliases it). got imports it
 * for its `http2` option, which the JumpCloud transport never sets; this saves ~27 KB per bundle. Should
 * anything turn HTTP/2 on, the request fails with this module's error instead of silently using HTTP/1.1.
 */
function unavailable(): never {
  throw new Error(
    "HTTP/2 is not bundled into the Lambda functions (lib/bundling.ts replaces http2-wrapper): leave got's http2 option off",
  );
}

/** got reads `auto` and `globalAgent` only when its `http2` option is on. */
export default {
  get auto(): never {
    return unavailable();
  },
  get globalAgent(): never {
    return unavailable();
  },
};
