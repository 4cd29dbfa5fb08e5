export { createRandom, type Random } from './random.js';
export {
  DEFAULT_ID_START,
  DOCUMENTED_HELP_STATES,
  EXAMPLE_HELP_STATE,
  demoDataset,
  generateSessions,
  serialisePage,
  sessionAt,
  type GenerateSessionsOptions,
  type SimSession,
} from './sessions.js';
export { CALL_USE_TYPES, USER_TYPES, callAt, demoCalls, type SimCall } from './calls.js';
export { demoExport, type DemoExport } from './demo-export.js';
export { MAX_CLOCK_SKEW_MS, parseDlgDate, type SimCredentials } from './auth.js';
export { TRANSIENT_FAULTS, type Fault, type FaultKind, type FaultShapes } from './faults.js';
export { BOUND_SEMANTICS, selects, type BoundSemantics } from './bounds.js';
export { SIM_REPORT_NAMES, type SimReportName } from './routes.js';
export {
  API_PATH,
  CALLS_API_PATH,
  startSimulator,
  type ReportCounters,
  type RunningSimulator,
  type SimulatorCounters,
  type SimulatorOptions,
  type SimulatorSettings,
} from './server.js';
