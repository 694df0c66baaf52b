// @ts-check
// A module's repositories and schemas are its own: another module calls its service instead
// (docs/architecture.md, "the import rule"). This rule resolves each relative import against the
// importing file and reports one that reaches into another module's `*.repository` or `schemas/`.
import path from 'node:path';

const MODULE = /(?:^|\/)src\/modules\/([^/]+)\//;
const PRIVATE = /(?:\.repository(?:\.[jt]s)?$|\/schemas\/)/;

/** @type {import('eslint').Rule.RuleModule} */
export const noForeignInternals = {
  meta: {
    type: 'problem',
    docs: { description: "forbid importing another module's repositories and schemas" },
    messages: {
      foreign: "'{{source}}' is a {{what}} of the {{owner}} module: call the {{owner}} module's service instead (docs/architecture.md).",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename.split(path.sep).join('/');
    const mine = MODULE.exec(file)?.[1];
    /** @param {any} node */
    function check(node) {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = path.posix.resolve(path.posix.dirname(file), source);
      const owner = MODULE.exec(target)?.[1];
      if (!owner || owner === mine || !PRIVATE.test(target)) return;
      const what = target.includes('/schemas/') ? 'schema' : 'repository';
      context.report({ node: node.source, messageId: 'foreign', data: { source, owner, what } });
    }
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
