package dev.coffer.benchmarks;

/**
 * One thread's authenticated cipher with a fixed 256-bit key. Each seal uses a fresh 96-bit nonce
 * (a counter), as a real writer must; open takes the nonce the bytes were sealed with.
 */
interface Aead {
  /** Tag length appended by seal, in bytes. */
  int TAG_BYTES = 16;

  /** Seals {@code plain[0..length)} into {@code out}; returns the sealed length (length + tag). */
  default int seal(byte[] nonce, byte[] plain, int length, byte[] out) {
    return seal(nonce, plain, 0, length, out, 0);
  }

  /**
   * Seals {@code in[inOffset..inOffset+length)} into {@code out} at {@code outOffset}; returns
   * length + tag.
   */
  int seal(byte[] nonce, byte[] in, int inOffset, int length, byte[] out, int outOffset);

  /**
   * Opens {@code sealed[0..length)} into {@code out}; returns the plaintext length.
   *
   * @throws IllegalStateException if authentication fails
   */
  default int open(byte[] nonce, byte[] sealed, int length, byte[] out) {
    return open(nonce, sealed, 0, length, out, 0);
  }

  /**
   * Opens {@code in[inOffset..inOffset+length)} into {@code out} at {@code outOffset}; returns the
   * plaintext length.
   *
   * @throws IllegalStateException if authentication fails
   */
  int open(byte[] nonce, byte[] in, int inOffset, int length, byte[] out, int outOffset);
}
