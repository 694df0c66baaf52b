import { Injectable } from '@nestjs/common';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import { AuthErrors } from './auth.errors.js';

const MIN_PASSWORD_LENGTH = 10;
/** zxcvbn's 0–4 scale; 3 is "safely unguessable: moderate protection from offline attacks". */
const MIN_SCORE = 3;

/**
 * New passwords, as OWASP ASVS (V2.1) asks: at least 10 characters, and not guessable — a
 * strength estimate (zxcvbn-ts with its common-password, name and keyboard-pattern
 * dictionaries) that also counts the account's own email and its parts as known words, so
 * "password1234", "qwertyuiop" or the email itself are refused. Existing passwords are never
 * re-checked at login.
 */
@Injectable()
export class PasswordPolicy {
  private readonly zxcvbn = new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });

  assertAcceptable(password: string, email: string): void {
    if ([...password].length < MIN_PASSWORD_LENGTH) throw AuthErrors.weakPassword(`Use at least ${MIN_PASSWORD_LENGTH} characters.`);
    const local = email.split('@')[0] ?? '';
    // Only the first 100 characters are scored: the estimate's cost grows with length, and a
    // password that long is never weak for its length alone.
    const result = this.zxcvbn.check(password.slice(0, 100), [email, local, ...local.split(/[._+-]/)].filter((w) => w.length >= 3));
    if (result.score < MIN_SCORE) {
      const hint = result.feedback.warning ?? result.feedback.suggestions[0] ?? 'Add more words or characters.';
      throw AuthErrors.weakPassword(`This password is easy to guess. ${hint} A few unrelated words make a strong one.`);
    }
  }
}
