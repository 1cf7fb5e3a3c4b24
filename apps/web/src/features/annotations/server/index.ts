export { annotationRouter } from "./annotation-router";
