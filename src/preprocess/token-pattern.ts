// Which token patterns the text steps accept: only those whose matching work is linear in the
// text, decided from the pattern's source before any text is read.
//
// JavaScript's regular expressions backtrack, and `matchAll` retries at every position, so two
// shapes make tokenizing a long document take minutes or forever: a repeated group that holds a
// repetition or an alternation (`(a+)+$`, `(a|a)*`: exponential), and an unbounded repetition
// followed by something that can fail (`a+b` on 100k letters: quadratic, 25 s measured on
// Node 20). V8's linear engine is not available to us (it is a start-up flag and skips `u`
// patterns), and a running match cannot be interrupted, so the pattern is restricted instead:
//
//   - each alternative is a sequence of atoms (a character, `.`, a class `[...]`, an escape such
//     as `\w` or `\p{L}`, an anchor) with bounded quantifiers (`?`, `{n}`, `{n,m}`), a group
//     only when nothing in it is unbounded and it is not itself repeated unboundedly;
//   - at most one unbounded quantifier (`*`, `+`, `{n,}`) per alternative, on a single atom, and
//     last in its top-level alternative (a `\b` may follow `\w+`, which always ends on a
//     boundary), so a match that starts either succeeds at the end of the run or fails within
//     the bounded prefix;
//   - no backreferences (`\1`, `\k<name>`), and lookarounds only with bounded content.
//
// The default `[\p{L}\p{N}_]{2,}`, scikit-learn's `\b\w\w+\b`, `[a-z]+|\d+` and `#\w+` all pass.

/** Why `source` may make tokenizing super-linear, or undefined when it is accepted. */
export function tokenPatternProblem(source: string): string | undefined {
  try {
    const alternatives = parseAlternatives(new Reader(source), 0);
    for (const alt of alternatives) {
      const problem = checkTopAlternative(alt);
      if (problem) return problem;
    }
    return undefined;
  } catch (e) {
    if (e instanceof PatternRefused) return e.message;
    throw e;
  }
}

class PatternRefused extends Error {}

interface Quantifier {
  min: number;
  max: number; // Infinity when unbounded
  text: string;
}

type Node =
  | { kind: 'atom'; text: string; word: boolean; zeroWidth: boolean; q?: Quantifier }
  | { kind: 'group'; text: string; alternatives: Node[][]; lookaround: boolean; q?: Quantifier };

class Reader {
  pos = 0;
  constructor(readonly s: string) {}
  peek(): string | undefined {
    return this.s[this.pos];
  }
  next(): string {
    const c = this.s[this.pos];
    if (c === undefined) throw new PatternRefused('the pattern ends too early');
    this.pos++;
    return c;
  }
}

function parseAlternatives(r: Reader, depth: number): Node[][] {
  const alternatives: Node[][] = [[]];
  for (;;) {
    const c = r.peek();
    if (c === undefined) {
      if (depth > 0) throw new PatternRefused('a group is not closed');
      return alternatives;
    }
    if (c === ')') {
      if (depth === 0) throw new PatternRefused('an unmatched )');
      return alternatives;
    }
    if (c === '|') {
      r.next();
      alternatives.push([]);
      continue;
    }
    const node = parseAtom(r, depth);
    const q = parseQuantifier(r);
    if (q) {
      if (node.kind === 'atom' && node.zeroWidth) throw new PatternRefused(`a quantifier on the assertion ${node.text}`);
      node.q = q;
    }
    alternatives.at(-1)!.push(node);
  }
}

function parseAtom(r: Reader, depth: number): Node {
  const start = r.pos;
  const c = r.next();
  if (c === '(') {
    let lookaround = false;
    if (r.peek() === '?') {
      r.next();
      const k = r.next();
      if (k === '=' || k === '!') lookaround = true;
      else if (k === '<' && (r.peek() === '=' || r.peek() === '!')) {
        r.next();
        lookaround = true;
      } else if (k === '<') {
        while (r.next() !== '>');
      } else if (k !== ':') throw new PatternRefused(`the group (?${k} is not accepted`);
    }
    const alternatives = parseAlternatives(r, depth + 1);
    r.next(); // ')'
    return { kind: 'group', text: r.s.slice(start, r.pos), alternatives, lookaround };
  }
  if (c === '[') {
    if (r.peek() === '^') r.next();
    if (r.peek() === ']') r.next();
    for (;;) {
      const d = r.next();
      if (d === '\\') r.next();
      else if (d === ']') break;
    }
    return { kind: 'atom', text: r.s.slice(start, r.pos), word: false, zeroWidth: false };
  }
  if (c === '\\') {
    const e = r.next();
    if (/[1-9]/.test(e) || e === 'k') throw new PatternRefused(`the backreference \\${e} (it makes matching exponential)`);
    if (e === 'p' || e === 'P') {
      if (r.peek() === '{') while (r.next() !== '}');
    } else if (e === 'u' && r.peek() === '{') {
      while (r.next() !== '}');
    } else if (e === 'u') {
      r.pos += 4;
    } else if (e === 'x') {
      r.pos += 2;
    } else if (e === 'c') {
      r.next();
    }
    const text = r.s.slice(start, r.pos);
    return { kind: 'atom', text, word: e === 'w', zeroWidth: e === 'b' || e === 'B' };
  }
  if (c === '^' || c === '$') return { kind: 'atom', text: c, word: false, zeroWidth: true };
  if (c === '*' || c === '+' || c === '?' || c === '{') throw new PatternRefused(`nothing to repeat before ${c}`);
  return { kind: 'atom', text: c, word: false, zeroWidth: false };
}

function parseQuantifier(r: Reader): Quantifier | undefined {
  const start = r.pos;
  const c = r.peek();
  let q: Quantifier | undefined;
  if (c === '*') q = { min: 0, max: Infinity, text: '' };
  else if (c === '+') q = { min: 1, max: Infinity, text: '' };
  else if (c === '?') q = { min: 0, max: 1, text: '' };
  else if (c === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(r.s.slice(r.pos));
    if (!m) return undefined; // a literal brace
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    r.pos += m[0].length - 1;
    q = { min, max, text: '' };
  }
  if (!q) return undefined;
  r.next();
  if (r.peek() === '?') r.next(); // lazy: the same work bound
  q.text = r.s.slice(start, r.pos);
  return q;
}

const unbounded = (q: Quantifier | undefined): boolean => q !== undefined && q.max === Infinity;

/** Whether anything inside `node` repeats without bound. */
function hasUnbounded(node: Node): boolean {
  if (unbounded(node.q)) return true;
  return node.kind === 'group' && node.alternatives.some((alt) => alt.some(hasUnbounded));
}

function checkTopAlternative(alt: Node[]): string | undefined {
  let seenUnbounded = false;
  for (let i = 0; i < alt.length; i++) {
    const node = alt[i]!;
    if (node.kind === 'group') {
      const inner = node.alternatives.some((a) => a.some(hasUnbounded));
      if (inner) return `the group ${node.text} holds an unbounded repetition (* + {n,}); only a single character, class or escape may repeat without bound`;
      if (unbounded(node.q)) return `the group ${node.text} is repeated without bound (${node.q!.text}); repeating a group can make matching exponential`;
      if (node.q && node.q.max > 1 && node.alternatives.length > 1) return `the alternation ${node.text} is repeated (${node.q.text}); repeated alternatives can make matching exponential`;
      if (seenUnbounded) return `${node.text} follows an unbounded repetition; it must come last in its alternative`;
      continue;
    }
    if (unbounded(node.q)) {
      if (seenUnbounded) return `two unbounded repetitions in one alternative (${node.text}${node.q!.text}); at most one, at the end`;
      seenUnbounded = true;
      const rest = alt.slice(i + 1);
      const onlyBoundary = rest.every((n) => n.kind === 'atom' && n.text === '\\b' && node.word);
      if (!onlyBoundary) {
        return `${node.text}${node.q!.text} is followed by ${rest.map((n) => n.text + (n.q?.text ?? '')).join('')}; an unbounded repetition must end its alternative (a failing match after it is retried at every position: quadratic time)`;
      }
      continue;
    }
    if (seenUnbounded && !(node.kind === 'atom' && node.text === '\\b')) {
      return `${node.text} follows an unbounded repetition; it must come last in its alternative`;
    }
  }
  return undefined;
}
