import { AppError } from '../errors.ts';

// A safety net under validation: constraint and input errors raised by PostgreSQL (through drizzle's
// DrizzleQueryError, whose `cause` is the driver's error) are the caller's fault, so they answer 4xx, not 500.
const BY_SQLSTATE: Record<string, [AppError['code'], string]> = {
  '23505': ['CONFLICT', 'That already exists'],
  '23503': ['CONFLICT', 'That refers to something that does not exist or is still in use'],
  '22P02': ['BAD_REQUEST', 'A value has the wrong format'],
  '22001': ['BAD_REQUEST', 'A value is too long'],
  '22003': ['BAD_REQUEST', 'A number is out of range'],
  '22007': ['BAD_REQUEST', 'A date or time has the wrong format'],
  '22008': ['BAD_REQUEST', 'A date or time is out of range'],
  '22021': ['BAD_REQUEST', 'Text contains a character that cannot be stored'],
  '22P05': ['BAD_REQUEST', 'Text contains a character that cannot be stored'],
  '54000': ['BAD_REQUEST', 'A value is too large'],
};

export function fromDatabaseError(err: unknown): AppError | undefined {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const hit = typeof code === 'string' ? BY_SQLSTATE[code] : undefined;
    if (hit) return new AppError(hit[0], hit[1], undefined, { cause: err });
  }
  return undefined;
}
