"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** The organization's tabs; the audit log tab is passed only for owners and admins. */
export function OrgTabs({ tabs }: { tabs: readonly { label: string; href: string }[] }) {
  const pathname = usePathname();
  return (
    <nav className="flex gap-1 border-b border-neutral-200" aria-label="Organization">
      {tabs.map((tab) => (
        <Link
          key={tab.href}
          href={tab.href}
          aria-current={pathname === tab.href ? "page" : undefined}
          className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm text-neutral-600 hover:text-neutral-900 aria-[current=page]:border-neutral-900 aria-[current=page]:font-medium aria-[current=page]:text-neutral-900"
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
