export { createKpiRoute, createKpisBatchRoute, listKpisRoute } from "./kpi-routes";
