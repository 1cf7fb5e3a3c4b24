/** Entry of the receiver's decoding thread (piscina): one large export per task. */
import { summarizeForThread, type TSummarizeResult, type TSummarizeTask } from "./export-summary.js";

export default function summarize(task: TSummarizeTask): TSummarizeResult {
  return summarizeForThread(task);
}
