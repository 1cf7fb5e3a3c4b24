export { AnnotationQueueWalker } from "./components/annotation-queue-walker";
export { AnnotationQueuesPanel } from "./components/annotation-queues-panel";
