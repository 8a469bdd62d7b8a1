// A value that cannot be part of a key: an unkeyable type (json, jsonb,
// arrays), a value that does not fit its type, or a key beyond keyBytesMax.
// The executor produced it: reported before anything is proposed.

export class KeyEncodeError extends Error {
  override readonly name = 'KeyEncodeError';
}
