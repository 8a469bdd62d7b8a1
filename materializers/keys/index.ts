// materializers/keys: memcomparable keys (byte order == SQL order), key
// ranges, and the row store's key layout.

export { KeyEncodeError } from './errors.js';
export { encodeKey, encodeRowIdKey, isKeyableType, KeyMarker, writeKeyValue } from './memcomparable.js';
export {
  boundedRange, compareBytes, emptyRange, equalRange, fullRange, inRange, prefixRange, prefixSuccessor, withPrefix, type KeyBound, type KeyRange,
} from './key-range.js';
export {
  firstUserObjectId, indexStorageKey, metaKey, MetaKind, metaObjectId, metaRange, objectIdBytes, objectIdOf, objectPrefix, objectRange,
  reservedObjectIdMax, rowStorageKey,
} from './layout.js';
