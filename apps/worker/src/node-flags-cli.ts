// Prints the Node flags the worker starts with, for apps/worker/bin/start.sh.
import { workerNodeFlags } from "./node-flags.js";

console.log(workerNodeFlags().join(" "));
