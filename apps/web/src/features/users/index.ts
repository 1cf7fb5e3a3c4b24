export { UsersList } from "./components/users-list";
