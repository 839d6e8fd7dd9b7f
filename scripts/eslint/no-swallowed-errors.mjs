// ESLint rule greenlight/no-swallowed-errors (STYLE.md "Things to avoid": swallowing errors in listeners).
// An error handler that does nothing — `.catch(() => {})`, `.then(ok, () => {})`,
// `x.on('error', () => {})`, or one whose whole body is `undefined` / `void 0` — must say why
// in a comment inside it or on its line (or the line above). `no-empty` covers `catch {}` blocks.
const LISTEN = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

/** The handler argument of an error-handling call, if the call is one. */
function errorHandlerOf(call) {
  const callee = call.callee;
  if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier') return null;
  const name = callee.property.name;
  const args = call.arguments;
  if (name === 'catch') return args[0] ?? null;
  if (name === 'then') return args[1] ?? null;
  if (LISTEN.has(name) && args[0]?.type === 'Literal' && args[0].value === 'error') return args[1] ?? null;
  return null;
}

const isFunction = (n) => n?.type === 'ArrowFunctionExpression' || n?.type === 'FunctionExpression';

/** True when the function's body does nothing with the error. */
function doesNothing(fn) {
  const body = fn.body;
  if (body.type === 'BlockStatement') return body.body.length === 0;
  if (body.type === 'Identifier') return body.name === 'undefined';
  return body.type === 'UnaryExpression' && body.operator === 'void' && body.argument.type === 'Literal';
}

/** @type {import('eslint').Rule.RuleModule} */
export default {
  meta: {
    type: 'problem',
    docs: { description: 'An error handler that ignores the error must say why in a comment' },
    schema: [],
    messages: {
      swallowed:
        'This {{what}} swallows the error. Handle it (log, count, rethrow), or say why ignoring it is right in a comment (inside it, on its line, or the line above).',
    },
  },
  create(context) {
    const source = context.sourceCode;
    const explained = (fn) => {
      if (source.getCommentsInside(fn).length > 0) return true;
      const { start, end } = fn.loc;
      return source
        .getAllComments()
        .some((c) => c.loc.start.line === end.line || c.loc.end.line === start.line - 1 || c.loc.start.line === start.line);
    };
    return {
      CallExpression(call) {
        const fn = errorHandlerOf(call);
        if (!isFunction(fn) || !doesNothing(fn) || explained(fn)) return;
        const name = call.callee.property.name;
        context.report({
          node: fn,
          messageId: 'swallowed',
          data: { what: name === 'catch' || name === 'then' ? `.${name}() handler` : `'error' listener` },
        });
      },
    };
  },
};
