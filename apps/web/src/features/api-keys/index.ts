export { ApiKeysPanel } from "./components/api-keys-panel";
export { CopyButton } from "./components/copy-button";
