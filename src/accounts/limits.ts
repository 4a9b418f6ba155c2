/** Account rules that the web shows too (imported by both; no server code here). */

/** How long a mailed password-reset link works (R7). */
export const RESET_PASSWORD_MINUTES = 60;
