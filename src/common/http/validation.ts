import { ParseUUIDPipe, ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { AppError, CommonErrors } from '../errors/app-error.js';

interface FieldProblem {
  field: string;
  problems: string[];
}

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Strict everywhere: unknown fields are an error, types are converted, values never echoed. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => CommonErrors.validation({ fields: flatten(errors) }),
  });
}

/** Path ids are UUIDs; anything else is a 400 before any lookup. */
export const uuidPipe = new ParseUUIDPipe({
  exceptionFactory: () => new AppError(400, 'INVALID_ID', 'The id in the path is not a valid UUID.'),
});

/**
 * An optional body field that may be left out but not sent as `null`: absent skips its checks,
 * `null` is checked like any value (and refused). `@IsOptional()` lets `null` through to code
 * that only expects a value or `undefined` (a null name was a 500).
 */
export const IsOmittable = (): PropertyDecorator => ValidateIf((_obj, value) => value !== undefined);
