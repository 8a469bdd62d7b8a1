// Functions the binder uses directly for SQL-standard keyword forms
// (CURRENT_DATE, CURRENT_SCHEMA, ...), re-exported from their modules.

export { currentDate, currentTimestamp, localTime, localTimestamp } from './datetime-functions.js';
export { currentSchema, serverVersionText } from './system-functions.js';
