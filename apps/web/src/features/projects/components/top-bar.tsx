import Link from "next/link";
import { SignOutButton } from "../../auth";
import { OrgSwitcher } from "../../orgs";
import { ProjectSwitcher } from "./project-switcher";

export function TopBar({ userLabel }: { userLabel: string }) {
  return (
    <header className="border-b border-neutral-200 bg-white">
      <div className="mx-auto flex h-14 max-w-6xl items-center justify-between gap-4 px-6">
        <div className="flex items-center gap-3">
          <Link href="/" className="text-sm font-semibold tracking-tight text-neutral-900">
            Spanlens
          </Link>
          <span aria-hidden className="text-neutral-300">
            /
          </span>
          <OrgSwitcher />
          <ProjectSwitcher />
        </div>
        <div className="flex items-center gap-3">
          <Link
            href="/account"
            className="hidden text-sm text-neutral-500 hover:text-neutral-900 sm:inline"
            data-testid="current-user"
          >
            {userLabel}
          </Link>
          <SignOutButton />
        </div>
      </div>
    </header>
  );
}
