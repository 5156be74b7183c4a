// The --faults, --latency and --rtt spec parsers, for a caller that checks a spec before it starts (or
// asks a running) sandbox. Cheap to load: no TLS, no tokens, no listeners.
export { FaultSpecError, parseFaults } from "./core/faults.js";
export { LatencySpecError, RttSpecError, parseLatency, parseRtt } from "./core/latency.js";
