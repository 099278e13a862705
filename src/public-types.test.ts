/**
 * The library's public surface, checked with the TypeScript compiler: every named type that a public member of an
 * exported class takes or returns is itself exported from `src/index.ts` (so users can name what they get), and the
 * options users pass are camelCase (snake_case stays in SM's JSON: progress, targets, REST bodies).
 */
import { expect, test } from "bun:test";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const ownSource = (symbol: ts.Symbol) =>
  symbol.declarations?.some((d) => d.getSourceFile().fileName.startsWith(`${root}src/`)) ?? false;
const isPrivate = (symbol: ts.Symbol) => {
  const declaration = symbol.valueDeclaration;
  if (symbol.getName().startsWith("#") || !declaration) return symbol.getName().startsWith("#");
  return (
    (ts.getCombinedModifierFlags(declaration as ts.Declaration) &
      (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !==
    0
  );
};
const NAMED = ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Class | ts.SymbolFlags.Enum;

function survey() {
  const program = ts.createProgram([`${root}src/index.ts`], {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    allowImportingTsExtensions: true,
    resolveJsonModule: true,
    strict: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(`${root}src/index.ts`);
  const moduleSymbol = index && checker.getSymbolAtLocation(index);
  if (!moduleSymbol) throw new Error("src/index.ts did not load");
  const exported = new Set(
    checker
      .getExportsOfModule(moduleSymbol)
      .map((s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s)),
  );
  const unexported = new Map<string, string>();
  const snakeOptions = new Set<string>();
  const seen = new Set<ts.Type>();

  const visit = (type: ts.Type, where: string, depth: number, options: boolean): void => {
    if (depth > 5 || seen.has(type)) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) for (const part of type.types) visit(part, where, depth, options);
    for (const argument of checker.getTypeArguments(type as ts.TypeReference) ?? [])
      visit(argument, where, depth + 1, options);
    for (const signature of type.getCallSignatures()) {
      visit(signature.getReturnType(), `${where}()`, depth + 1, false);
      for (const parameter of signature.getParameters()) {
        visit(checker.getTypeOfSymbol(parameter), `${where}(${parameter.getName()})`, depth + 1, true);
      }
    }
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (!symbol || !ownSource(symbol)) return;
    if (symbol.flags & NAMED && !exported.has(symbol)) unexported.set(symbol.getName(), where);
    if (!(type.flags & ts.TypeFlags.Object)) return;
    for (const property of type.getProperties()) {
      if (isPrivate(property)) continue;
      if (options && /[a-z]_[a-z]/.test(property.getName()))
        snakeOptions.add(`${symbol.getName()}.${property.getName()}`);
      const declaration = property.valueDeclaration ?? property.declarations?.[0];
      if (declaration) {
        const next = `${where} > ${symbol.getName()}.${property.getName()}`;
        visit(checker.getTypeOfSymbolAtLocation(property, declaration), next, depth + 1, options);
      }
    }
  };

  for (const symbol of exported) {
    const declaration = symbol.declarations?.[0];
    if (!declaration || !(symbol.flags & ts.SymbolFlags.Class)) continue;
    const sides = [
      [checker.getDeclaredTypeOfSymbol(symbol), "#"],
      [checker.getTypeOfSymbolAtLocation(symbol, declaration), "."],
    ] as const;
    for (const [side, separator] of sides) {
      for (const member of side.getProperties()) {
        if (isPrivate(member) || !member.valueDeclaration) continue;
        const type = checker.getTypeOfSymbolAtLocation(member, member.valueDeclaration);
        visit(type, `${symbol.getName()}${separator}${member.getName()}`, 0, false);
      }
    }
  }
  return { unexported, snakeOptions };
}

const result = survey();

test("every named type a public class member takes or returns is exported from src/index.ts", () => {
  expect([...result.unexported].map(([name, where]) => `${name} (reached from ${where})`)).toEqual([]);
});

test("the options a library call takes are camelCase", () => {
  expect([...result.snakeOptions]).toEqual([]);
});
