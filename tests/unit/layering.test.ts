/**
 * The dependency rule of docs/architecture.md, checked on the import statements themselves:
 * folders depend one way (lib <- config <- components <- tenants <- ops <- cli, with policy
 * beside tenants), the offline engine and the plan depend on the product and never the
 * reverse, and no folder-level cycle exists.
 */
import * as fs from "fs";
import * as path from "path";
import { expect } from "chai";
import { PROJECT_DIR } from "../../lib/projectDir";

/** What each top-level folder may import (besides itself and packages). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  lib: [],
  config: ["lib"],
  components: ["lib", "config"],
  policy: ["lib", "config", "components"],
  tenants: ["lib", "config", "components"],
  ops: ["lib", "config", "components", "tenants"],
  // The offline engine runs the platform program (index.ts) itself.
  offline: ["lib", "config", "components", "policy", "tenants", "."],
  plan: ["lib", "config", "components", "policy", "tenants", "offline", "."],
  cli: ["lib", "config", "components", "policy", "tenants", "ops", "offline", "plan", "."],
  bench: ["lib", "config", "components", "policy", "tenants", "ops", "offline", "plan", "cli", "."],
  // The platform program (index.ts) composes components from configuration.
  ".": ["lib", "config", "components"],
};

/** Relative imports of every product source file: [from folder, to folder, file, specifier]. */
function folderEdges(): [string, string, string, string][] {
  const edges: [string, string, string, string][] = [];
  const visit = (dir: string) => {
    for (const name of fs.readdirSync(path.join(PROJECT_DIR, dir))) {
      const relative = path.join(dir, name);
      const full = path.join(PROJECT_DIR, relative);
      if (fs.statSync(full).isDirectory()) {
        if (name !== "node_modules") visit(relative);
        continue;
      }
      if (!name.endsWith(".ts")) continue;
      const from = relative.includes(path.sep) ? relative.split(path.sep)[0] : ".";
      const text = fs.readFileSync(full, "utf8");
      for (const match of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)"(\.{1,2}\/[^"]+)"/g)) {
        const target = path.relative(PROJECT_DIR, path.resolve(path.dirname(full), match[1]));
        const to = target.includes(path.sep) ? target.split(path.sep)[0] : ".";
        if (to !== from) edges.push([from, to, relative, match[1]]);
      }
    }
  };
  for (const folder of Object.keys(ALLOWED)) if (folder !== ".") visit(folder);
  for (const name of fs.readdirSync(PROJECT_DIR)) {
    if (!name.endsWith(".ts")) continue;
    const text = fs.readFileSync(path.join(PROJECT_DIR, name), "utf8");
    for (const match of text.matchAll(/(?:from\s+|import\(\s*|require\(\s*)"(\.{1,2}\/[^"]+)"/g)) {
      edges.push([".", path.normalize(match[1]).split(path.sep)[0], name, match[1]]);
    }
  }
  return edges;
}

describe("layering", () => {
  const edges = folderEdges();

  it("finds the imports it checks (the scan itself works)", () => {
    expect(edges.some(([from, to]) => from === "cli" && to === "tenants")).to.equal(true);
    expect(edges.some(([from, to]) => from === "components" && to === "config")).to.equal(true);
  });

  it("every folder imports only the folders below it", () => {
    const broken = edges
      .filter(([from, to]) => !(ALLOWED[from] ?? []).includes(to))
      .map(([from, to, file, spec]) => `${file} (${from}) imports ${spec} (${to})`);
    expect(broken).to.deep.equal([]);
  });

  it("has no folder-level cycle", () => {
    const graph = new Map<string, Set<string>>();
    for (const [from, to] of edges) (graph.get(from) ?? graph.set(from, new Set()).get(from)!).add(to);
    const cycles = new Set<string>();
    const visit = (node: string, trail: string[]) => {
      if (trail.includes(node)) {
        cycles.add([...trail.slice(trail.indexOf(node)), node].join(" -> "));
        return;
      }
      for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    };
    for (const node of graph.keys()) visit(node, []);
    expect([...cycles]).to.deep.equal([]);
  });

  it("the README's layout section names every top-level folder of the tree", () => {
    const readme = fs.readFileSync(path.join(PROJECT_DIR, "README.md"), "utf8");
    const layout = readme.slice(readme.indexOf("## Layout"));
    const folders = fs
      .readdirSync(PROJECT_DIR, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith(".") && e.name !== "node_modules")
      .map((e) => e.name);
    for (const folder of folders) expect(layout, folder).to.match(new RegExp(`^${folder}/\\s`, "m"));
  });

  it("the rule itself is acyclic and one-way", () => {
    for (const [folder, below] of Object.entries(ALLOWED)) {
      for (const other of below)
        expect(ALLOWED[other] ?? [], `${other} must not depend on ${folder}`).to.not.include(folder);
    }
  });
});
