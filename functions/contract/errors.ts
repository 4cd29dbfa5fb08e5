/**
 * The errors of the contract's validators. The contract is shared by infra and runtime, so it cannot throw either
 * side's error: infra reports a {@link SettingError} as a CDK context error, the runtime as a configuration error.
 */

/** A value is not of the form a parser takes, e.g. `2025-02-30` for a day; the message says what is expected. */
export class InvalidValueError extends Error {
  override name = 'InvalidValueError';
}

/** A setting (environment variable, CLI flag, event field, CDK context key) holds an invalid value. */
export class SettingError extends Error {
  override name = 'SettingError';

  /** The variable, flag, field or key at fault, e.g. `EXPORT_TIMEZONE` or `--timezone`. */
  readonly setting: string;
  /** What is wrong and what is expected, without the setting's name. */
  readonly problem: string;

  constructor(setting: string, problem: string, options?: ErrorOptions) {
    super(`${setting}: ${problem}`, options);
    this.setting = setting;
    this.problem = problem;
  }
}

/** Runs a value parser and reports its {@link InvalidValueError} as an error of `setting`. */
export function asSetting<T>(setting: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidValueError) throw new SettingError(setting, error.message, { cause: error });
    throw error;
  }
}
