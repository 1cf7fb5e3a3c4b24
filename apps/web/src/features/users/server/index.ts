export { userRouter } from "./user-router";
