export { RecentTraces } from "./components/recent-traces";
