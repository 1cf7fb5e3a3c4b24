export { ChangePasswordForm } from "./components/change-password-form";
export { OAuthButtons } from "./components/oauth-buttons";
export { SignInForm } from "./components/sign-in-form";
export { SignOutButton } from "./components/sign-out-button";
export { SignUpForm } from "./components/sign-up-form";
