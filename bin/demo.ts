/**
 * `npm run demo`: starts the built-in JumpCloud simulator with the demo organization and reads it
 * through the real API client, exactly as an audit against a tenant would.
 */
import { createJumpCloudClient } from "../lambdas/jumpcloud/client.js";
import {
  countEvents,
  getOrganization,
  listAdmins,
  listAuthnPolicies,
  listSystems,
  listSystemUsers,
} from "../lambdas/jumpcloud/resources.js";
import { startSimulator } from "../sim/index.js";

const sim = await startSimulator({ scenario: "demo" });
try {
  const client = createJumpCloudClient({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    insightsUrl: sim.insightsUrl,
  });
  const orgId = sim.scenario.organizations[0]?.organization._id as string;
  const org = await getOrganization(client, orgId);
  const admins = await collect(
    listAdmins(client, ["email", "enableMultiFactor", "totpEnrolled", "suspended", "roleName"]),
  );
  const users = await collect(listSystemUsers(client, ["state", "totp_enabled", "mfaEnrollment"]));
  const systems = await collect(listSystems(client, ["os", "allowMultiFactorAuthentication"]));
  const policies = await collect(listAuthnPolicies(client));
  const since = new Date(Date.now() - 86_400_000).toISOString();
  const events = await countEvents(client, { service: ["all"], start_time: since });

  const adminsWithoutMfa = admins.filter((a) => !a.suspended && !(a.enableMultiFactor && a.totpEnrolled));
  const fullAdmins = admins.filter(
    (a) => !a.suspended && /^Administrator( With Billing)?$/.test(a.roleName ?? ""),
  );
  const notEnrolled = users.filter(
    (u) => u.state === "ACTIVATED" && !u.totp_enabled && u.mfaEnrollment?.overallStatus !== "ENROLLED",
  );
  console.log(`JumpCloud simulator running at ${sim.url} (scenario "${sim.scenario.name}")\n`);
  console.log(`Organization           ${org.displayName} (${org._id})`);
  console.log(`Admin MFA required     ${org.settings?.requireAdminMFA ? "yes" : "no"} (global setting)`);
  console.log(
    `Admins                 ${admins.length}, ${fullAdmins.length} with full Administrator roles, ${adminsWithoutMfa.length} active without MFA: ${adminsWithoutMfa.map((a) => a.email).join(", ") || "none"}`,
  );
  console.log(
    `Users                  ${users.length}, ${notEnrolled.length} active users not enrolled in MFA`,
  );
  console.log(
    `Systems                ${systems.length}, ${systems.filter((s) => !s.allowMultiFactorAuthentication).length} without MFA at login`,
  );
  console.log(
    `Authentication policies ${policies.length}: ${policies.map((p) => `${p.name}${p.disabled ? " (disabled)" : ""}`).join("; ")}`,
  );
  console.log(
    `Directory Insights     ${org.settings?.features?.directoryInsights?.enabled ? "enabled" : "disabled"}, ${events} events in the last 24 h`,
  );
  console.log(`\n${client.stats().requests} API requests made through the client.`);
} finally {
  await sim.close();
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
