/**
 * The bundled document set: policies of a fictional company, Northwind Labs. One policy
 * (remote work) exists in two versions; the 2021 one is outdated but still indexed, as in
 * many real knowledge bases.
 */
export interface TPolicyDocument {
  id: string;
  title: string;
  domain: "hr" | "it" | "security" | "finance";
  version: string;
  updated: string;
  isCurrent: boolean;
  text: string;
}

const doc = (
  id: string,
  title: string,
  domain: TPolicyDocument["domain"],
  updated: string,
  text: string,
  options: { version?: string; isCurrent?: boolean } = {},
): TPolicyDocument => ({
  id,
  title,
  domain,
  updated,
  version: options.version ?? "1",
  isCurrent: options.isCurrent ?? true,
  text: text.trim(),
});

export const POLICY_DOCUMENTS: readonly TPolicyDocument[] = [
  doc(
    "hr-vacation",
    "Vacation policy",
    "hr",
    "2024-01-10",
    `
Full-time employees receive 25 vacation days per calendar year. Part-time employees receive vacation days in proportion to their contracted hours.

Unused vacation days carry over to the next year until March 31, after which they expire. Vacation requests are submitted in the HR portal at least two weeks in advance.

Public holidays of the office location are not counted as vacation days.`,
  ),
  doc(
    "hr-parental-leave",
    "Parental leave policy",
    "hr",
    "2024-03-01",
    `
Birthing parents receive 20 weeks of fully paid parental leave. Non-birthing parents receive 12 weeks of fully paid parental leave, to be taken within the first year.

Parental leave can be split into up to three blocks. Tell your manager and HR at least eight weeks before your leave starts.`,
  ),
  doc(
    "hr-remote-work-2021",
    "Work from home policy (2021)",
    "hr",
    "2021-02-15",
    `
Employees may work from home up to 2 days a week. Work from home days must be agreed with your manager every week.

To work from home you need a stable internet connection and must be reachable during core hours from 10:00 to 16:00.`,
    { version: "2021", isCurrent: false },
  ),
  doc(
    "hr-remote-work-2024",
    "Hybrid and remote work policy",
    "hr",
    "2024-06-01",
    `
Since June 2024 employees choose freely where they work for up to 3 remote days per week; teams agree on one shared office day. Fully remote contracts are possible for roles marked remote-eligible.

Remote days do not need weekly approval. Core hours remain 10:00 to 16:00 in your local time zone.`,
    { version: "2024" },
  ),
  doc(
    "hr-sick-leave",
    "Sick leave policy",
    "hr",
    "2023-09-01",
    `
Report sick leave to your manager before 10:00 on the first day of absence. A doctor's note is required from the fourth consecutive sick day.

Sick days do not reduce your vacation days.`,
  ),
  doc(
    "hr-performance-review",
    "Performance reviews",
    "hr",
    "2023-11-20",
    `
Performance reviews take place twice a year, in May and November. Each review combines a self assessment, peer feedback from two colleagues and a conversation with your manager.

Salary adjustments are discussed in the November review only.`,
  ),
  doc(
    "hr-onboarding",
    "Onboarding checklist",
    "hr",
    "2024-02-05",
    `
On your first day you receive your laptop, badge and accounts from the IT desk on floor 2. Your onboarding buddy introduces you to the team during the first week.

Complete the mandatory security and code of conduct trainings within 30 days of starting.`,
  ),
  doc(
    "hr-code-of-conduct",
    "Code of conduct",
    "hr",
    "2022-05-12",
    `
Treat colleagues, customers and partners with respect. Harassment and discrimination of any kind are not tolerated.

Report concerns to your manager, HR or anonymously through the ethics hotline.`,
  ),
  doc(
    "it-vpn",
    "VPN access",
    "it",
    "2024-04-18",
    `
To connect to the company network from home, install the WireGuard client from the self-service portal and import your personal VPN profile.

The VPN requires multi-factor authentication at every connection. If your VPN token stops working, reset it in the IT portal under Security, then Reset token.`,
  ),
  doc(
    "it-password-policy",
    "Password policy",
    "it",
    "2024-01-22",
    `
Passwords must be at least 14 characters long and must not be reused across services. Use the company password manager to generate and store them.

Passwords are no longer rotated on a schedule; change a password immediately if you suspect it was exposed.`,
  ),
  doc(
    "it-laptop",
    "Laptop replacement",
    "it",
    "2023-07-03",
    `
Laptops are replaced every four years, or earlier when a repair costs more than half the replacement price. Request a replacement through the IT portal.

Return the old laptop to the IT desk within two weeks so its disk can be wiped.`,
  ),
  doc(
    "it-software",
    "Software requests",
    "it",
    "2023-10-10",
    `
Software from the approved catalog can be installed from the self-service portal without a ticket. Software outside the catalog needs a request with a business reason and a security review, which takes about five working days.`,
  ),
  doc(
    "it-support",
    "IT support hours",
    "it",
    "2024-05-06",
    `
The IT desk is open Monday to Friday from 8:00 to 18:00. Outside these hours, urgent incidents go to the on-call engineer through the emergency number in the IT portal.`,
  ),
  doc(
    "sec-phishing",
    "Reporting phishing",
    "security",
    "2024-02-28",
    `
Report a suspicious email with the Report Phishing button in your mail client; it forwards the message to the security team and removes it from your inbox.

Never open attachments or links from a message you reported. If you already entered your password, change it and tell the security team immediately.`,
  ),
  doc(
    "sec-data-classification",
    "Data classification",
    "security",
    "2023-06-14",
    `
Company data is classified as public, internal, confidential or restricted. Customer personal data is always confidential.

Confidential and restricted data may only be stored in approved systems and must never be pasted into external AI tools.`,
  ),
  doc(
    "sec-incident-response",
    "Security incident response",
    "security",
    "2024-08-09",
    `
A lost laptop or phone is a security incident: report it to the security team within one hour so the device can be locked and wiped remotely.

The security team coordinates the response and informs affected customers when required by law.`,
  ),
  doc(
    "sec-visitors",
    "Office visitors",
    "security",
    "2022-09-30",
    `
Register visitors at reception in advance. Visitors wear a badge and are accompanied by their host at all times.`,
  ),
  doc(
    "sec-mfa",
    "Multi-factor authentication",
    "security",
    "2024-01-15",
    `
Multi-factor authentication is mandatory for email, VPN and every system that holds customer data. Use the authenticator app or a hardware key; text message codes are not allowed.`,
  ),
  doc(
    "fin-expenses",
    "Travel and expenses",
    "finance",
    "2024-04-01",
    `
Submit expense reports within 30 days with receipts attached. Economy class is the default for flights under six hours.

Meals during business travel are reimbursed up to 60 EUR per day.`,
  ),
  doc(
    "fin-home-office",
    "Home office equipment",
    "finance",
    "2024-06-01",
    `
Employees with remote days can expense home office equipment such as a chair, desk or monitor up to 500 EUR every three years. Order through the finance portal to have it delivered directly.`,
  ),
  doc(
    "fin-training-budget",
    "Training budget",
    "finance",
    "2023-12-01",
    `
Every employee has a yearly training budget of 1,500 EUR for courses, conferences and books. Agree on the training with your manager before booking.`,
  ),
];

/** A fictional HR system the leave-balance tool reads; not every user has a record. */
export const LEAVE_BALANCES: Readonly<Record<string, { used: number; entitled: number }>> = {
  alice: { used: 11, entitled: 25 },
  bob: { used: 4, entitled: 25 },
  carol: { used: 20, entitled: 25 },
};
