export { SessionTurns } from "./components/session-turns";
export { SessionsList } from "./components/sessions-list";
