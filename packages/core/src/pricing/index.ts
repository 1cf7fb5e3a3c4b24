export { computeCost, findModelPrice, NO_COST, toPricingModelId, toProviderFamily } from "./compute-cost.js";
export {
  PRICE_TABLE,
  PRICE_TABLE_VERSION,
  type TModelPrice,
  type TPriceTable,
  type TProviderFamily,
} from "./price-table.js";
