export { SignInForm } from "./components/sign-in-form";
export { SignOutButton } from "./components/sign-out-button";
