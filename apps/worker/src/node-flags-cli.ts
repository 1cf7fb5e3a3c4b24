// Prints the Node flags the worker starts with, for apps/worker/bin/start.sh.
import { memoryLimitBytes, workerNodeFlags } from "./node-flags.js";

console.log(workerNodeFlags({ nodeOptions: process.env.NODE_OPTIONS, limitBytes: memoryLimitBytes() }).join(" "));
