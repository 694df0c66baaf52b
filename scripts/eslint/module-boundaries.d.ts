import type { Rule } from 'eslint';

export declare const noForeignInternals: Rule.RuleModule;
