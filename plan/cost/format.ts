/**
 * Renders a cost report as plain text for `npm run plan`: the platform lines with their
 * arithmetic, one line per tenant (or every tenant line with `detail`), the total, then the
 * assumptions the numbers rest on.
 */
import type { CostReport } from "./estimate";

export interface FormatCostOptions {
  /** Heading above the table. @default "Monthly cost estimate" */
  readonly title?: string;
  /** Show every line of every tenant instead of one line per tenant. @default false */
  readonly detail?: boolean;
}

/** The report as an aligned text table followed by the numbered assumptions. */
export function formatCostReport(report: CostReport, options: FormatCostOptions = {}): string {
  const rows: Row[] = [];
  for (const l of report.lines.filter((l) => l.scope === "platform")) {
    rows.push({ scope: "platform", item: l.item, amount: l.monthly, basis: l.basis });
  }
  rows.push({
    scope: "platform",
    item: "platform subtotal",
    amount: report.platformMonthly,
    basis: "",
    rule: true,
  });

  const tenantIds = Object.keys(report.tenants);
  for (const id of tenantIds) {
    const lines = report.lines.filter((l) => l.scope === id);
    if (options.detail) {
      for (const l of lines) rows.push({ scope: id, item: l.item, amount: l.monthly, basis: l.basis });
      rows.push({ scope: id, item: "tenant subtotal", amount: report.tenants[id], basis: "", rule: true });
    } else {
      rows.push({
        scope: id,
        item: "tenant",
        amount: report.tenants[id],
        basis: report.tenantFormulas?.[id] ?? summarize(lines.map((l) => l.item)),
      });
    }
  }
  if (tenantIds.length > 0 && !options.detail) {
    const tenantTotal = Object.values(report.tenants).reduce((a, b) => a + b, 0);
    rows.push({
      scope: "tenants",
      item: `${tenantIds.length} tenant${tenantIds.length === 1 ? "" : "s"}`,
      amount: Math.round(tenantTotal * 100) / 100,
      basis: "",
      rule: true,
    });
  }
  rows.push({ scope: "TOTAL", item: "", amount: report.totalMonthly, basis: "", rule: true });

  const headers = { scope: "Scope", item: "Item", amount: `${report.currency}/month`, basis: "Basis" };
  const width = {
    scope: Math.max(headers.scope.length, ...rows.map((r) => r.scope.length)),
    item: Math.max(headers.item.length, ...rows.map((r) => r.item.length)),
    amount: Math.max(headers.amount.length, ...rows.map((r) => money(r.amount).length)),
  };
  const render = (scope: string, item: string, amount: string, basis: string) =>
    `${scope.padEnd(width.scope)}  ${item.padEnd(width.item)}  ${amount.padStart(width.amount)}  ${basis}`.trimEnd();
  // The rule runs under the basis column too, up to a readable width.
  const basisWidth = Math.min(60, Math.max(headers.basis.length, ...rows.map((r) => r.basis.length)));
  const rule = "-".repeat(width.scope + width.item + width.amount + 6 + basisWidth);

  const out = [
    options.title ?? "Monthly cost estimate",
    "",
    render(headers.scope, headers.item, headers.amount, headers.basis),
    rule,
  ];
  for (const row of rows) {
    if (row.rule) out.push(rule);
    out.push(render(row.scope, row.item, money(row.amount), row.basis));
  }
  out.push("", "Assumptions:");
  report.assumptions.forEach((a, i) => out.push(`  ${i + 1}. ${a}`));
  return out.join("\n") + "\n";
}

interface Row {
  readonly scope: string;
  readonly item: string;
  readonly amount: number;
  readonly basis: string;
  /** Draw a rule above the row (subtotals, total). */
  readonly rule?: boolean;
}

/** 1234.5 -> "1,234.50". */
function money(value: number): string {
  return value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** What a tenant's one-line summary is made of: "Fargate, Secrets Manager, EFS, logs". */
function summarize(items: readonly string[]): string {
  const short = items.map((item) => {
    const plain = item.replace(/^[^:]+: /, "");
    if (plain.startsWith("Fargate")) return plain.includes("Spot") ? "Fargate Spot" : "Fargate";
    if (plain.startsWith("CloudWatch Logs")) return "logs";
    if (plain.startsWith("EFS")) return "EFS";
    return plain;
  });
  return [...new Set(short)].join(", ");
}
