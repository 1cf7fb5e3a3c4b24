export { evaluatorRouter, type TEvaluatorDto } from "./evaluator-router";
