/** Keyword routing: which domain a question is about and what the user wants. */
export interface TRoute {
  domain: "hr" | "it" | "security" | "finance" | "general";
  intent: "policy_lookup" | "leave_balance";
}

const DOMAIN_KEYWORDS: ReadonlyArray<[TRoute["domain"], RegExp]> = [
  ["security", /phishing|security|mfa|multi-factor|visitor|incident|classif|lost/i],
  ["it", /vpn|password|laptop|software|it desk|printer|token/i],
  ["finance", /expense|reimburs|budget|travel|equipment/i],
  ["hr", /vacation|leave|holiday|sick|parental|remote|home|review|onboard|conduct|salary/i],
];

export function routeQuestion(question: string): TRoute {
  const domain = DOMAIN_KEYWORDS.find(([, pattern]) => pattern.test(question))?.[0] ?? "general";
  const isBalance = /\b(left|remaining|balance)\b/i.test(question) && /vacation|leave|days/i.test(question);
  return { domain, intent: isBalance ? "leave_balance" : "policy_lookup" };
}
