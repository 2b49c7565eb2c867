/** The JumpCloud simulator: a real HTTP server on loopback faithful to JumpCloud's published API. */
export type { Fault, FaultRule } from "./faults.js";
export { FaultInjector } from "./faults.js";
export { buildPreset, isPresetName, PRESET_NAMES, type PresetName } from "./presets/index.js";
export {
  DEFAULT_SIM_API_KEY,
  loadScenarioFile,
  type OrgData,
  parseScenario,
  type Scenario,
} from "./scenario.js";
export {
  type LoggedRequest,
  type RunningSimulator,
  resolveScenario,
  type SimulatorOptions,
  startSimulator,
} from "./server.js";
