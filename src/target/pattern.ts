/**
 * Strings that match simple regular expressions (the `pattern` keyword of JSON Schema): literals,
 * classes, `\d \w \s`, `.`, groups with alternation and the usual quantifiers. Lookarounds and
 * back-references are out of scope: the caller gets `undefined` and falls back to a safe string.
 */

type Node =
  | { kind: "chars"; pick: (rand: Rand) => string }
  | { kind: "group"; alternatives: Node[][] }
  | { kind: "repeat"; node: Node; min: number; max: number };

/** Returns an integer in [min, max]. */
export type Rand = (min: number, max: number) => number;

class Unsupported extends Error {}

const DIGITS = "0123456789";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const WORD = LOWER + LOWER.toUpperCase() + DIGITS + "_";
const PRINTABLE = WORD + "-.~";
const SPACE = " ";

/** A string matching `pattern` (verified with `RegExp`), or `undefined` when none was found. */
export function stringFromPattern(pattern: string, rand: Rand, accept: (s: string) => boolean = () => true): string | undefined {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, "u");
  } catch {
    try {
      regex = new RegExp(pattern);
    } catch {
      return undefined;
    }
  }
  let ast: Node[][];
  try {
    ast = new Parser(pattern).parse();
  } catch {
    return undefined;
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = generate({ kind: "group", alternatives: ast }, rand);
    if (regex.test(candidate) && accept(candidate)) return candidate;
  }
  return undefined;
}

function generate(node: Node, rand: Rand): string {
  switch (node.kind) {
    case "chars":
      return node.pick(rand);
    case "group": {
      const branch = node.alternatives[rand(0, node.alternatives.length - 1)]!;
      return branch.map((n) => generate(n, rand)).join("");
    }
    case "repeat": {
      const count = rand(node.min, Math.min(node.max, node.min + 4));
      let out = "";
      for (let i = 0; i < count; i++) out += generate(node.node, rand);
      return out;
    }
  }
}

function fromSet(set: string): Node {
  return { kind: "chars", pick: (rand) => set[rand(0, set.length - 1)]! };
}

class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node[][] {
    const result = this.alternatives();
    if (this.i < this.src.length) throw new Unsupported("unbalanced )");
    return result;
  }

  private alternatives(): Node[][] {
    const alternatives: Node[][] = [this.sequence()];
    while (this.src[this.i] === "|") {
      this.i++;
      alternatives.push(this.sequence());
    }
    return alternatives;
  }

  private sequence(): Node[] {
    const nodes: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      const atom = this.atom();
      if (atom) nodes.push(this.quantified(atom));
    }
    return nodes;
  }

  private atom(): Node | undefined {
    const c = this.src[this.i++]!;
    if (c === "^" || c === "$") return undefined;
    if (c === ".") return fromSet(PRINTABLE);
    if (c === "(") {
      if (this.src[this.i] === "?") {
        if (this.src[this.i + 1] !== ":") throw new Unsupported("lookaround or named group");
        this.i += 2;
      }
      const alternatives = this.alternatives();
      if (this.src[this.i] !== ")") throw new Unsupported("unclosed group");
      this.i++;
      return { kind: "group", alternatives };
    }
    if (c === "[") return this.charClass();
    if (c === "\\") return this.escape();
    if ("*+?{".includes(c)) throw new Unsupported("dangling quantifier");
    return fromSet(c);
  }

  private escape(): Node | undefined {
    const c = this.src[this.i++];
    if (c === undefined) throw new Unsupported("trailing backslash");
    switch (c) {
      case "d":
        return fromSet(DIGITS);
      case "w":
        return fromSet(WORD);
      case "s":
        return fromSet(SPACE);
      case "D":
        return fromSet(LOWER);
      case "W":
        return fromSet("-");
      case "S":
        return fromSet(WORD);
      case "b":
      case "B":
      case "A":
      case "Z":
      case "z":
        return undefined;
      default:
        if (/[1-9kpPu]/.test(c)) throw new Unsupported("back-reference or property escape");
        return fromSet(c === "n" ? "\n" : c === "t" ? "\t" : c);
    }
  }

  private charClass(): Node {
    let negated = false;
    if (this.src[this.i] === "^") {
      negated = true;
      this.i++;
    }
    let members = "";
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== "]" || first)) {
      first = false;
      let c = this.src[this.i++]!;
      if (c === "\\") {
        const e = this.src[this.i++];
        if (e === "d") members += DIGITS;
        else if (e === "w") members += WORD;
        else if (e === "s") members += SPACE;
        else if (e === undefined) throw new Unsupported("trailing backslash");
        else members += e === "n" ? "\n" : e === "t" ? "\t" : e;
        continue;
      }
      if (this.src[this.i] === "-" && this.src[this.i + 1] !== undefined && this.src[this.i + 1] !== "]") {
        let end = this.src[this.i + 1]!;
        this.i += 2;
        if (end === "\\") end = this.src[this.i++] ?? end;
        const from = c.codePointAt(0)!;
        const to = end.codePointAt(0)!;
        if (to < from || to - from > 0xff) throw new Unsupported("wide range");
        for (let code = from; code <= to; code++) members += String.fromCodePoint(code);
        continue;
      }
      members += c;
    }
    if (this.src[this.i] !== "]") throw new Unsupported("unclosed class");
    this.i++;
    if (negated) {
      const allowed = [...PRINTABLE].filter((ch) => !members.includes(ch)).join("");
      if (allowed === "") throw new Unsupported("empty class");
      return fromSet(allowed);
    }
    if (members === "") throw new Unsupported("empty class");
    return fromSet(members);
  }

  private quantified(node: Node): Node {
    const c = this.src[this.i];
    let min: number;
    let max: number;
    if (c === "*") [min, max] = [0, 4];
    else if (c === "+") [min, max] = [1, 5];
    else if (c === "?") [min, max] = [0, 1];
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return node;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === "" ? min + 4 : Number(m[3]);
      if (max < min || max > 10_000) throw new Unsupported("quantifier range");
      this.i += m[0].length - 1;
    } else return node;
    this.i++;
    if (this.src[this.i] === "?" || this.src[this.i] === "+") this.i++;
    return { kind: "repeat", node, min, max };
  }
}
