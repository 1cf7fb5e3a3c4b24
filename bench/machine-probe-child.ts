/**
 * The machine probe in a process of its own (see `probeMachineSpeedInFreshProcess`): one
 * unmeasured probe to compile the code, then the measured one, sent to the parent.
 */
import { probeMachineSpeed } from "./machine-probe.js";

probeMachineSpeed();
process.send?.(probeMachineSpeed());
