/**
 * Zod's English messages for the Lambda-side schemas. `zod/mini` ships without a locale (every issue
 * would read "Invalid input"); classic `zod` loads this one at import. Importing this module once, for its
 * effect, keeps the messages that name a bad variable or event field as they were ("Too small: expected
 * string to have >=3 characters"). The setting is process-wide and idempotent.
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

z.config(en());
