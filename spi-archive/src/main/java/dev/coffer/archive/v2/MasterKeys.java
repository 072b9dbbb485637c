package dev.coffer.archive.v2;

import dev.coffer.CorruptBackupException;
import dev.coffer.archive.SecretBytes;

/**
 * The symmetric key source a format-2 repository is opened with (options {@code key}, {@code
 * key-file}, {@code passphrase}, {@code passphrase-file}), as the provider parsed it. The
 * repository's master key is the raw key, or Argon2id of the passphrase with the salt and
 * parameters its {@code coffer-repository} object records. Never printed.
 */
public interface MasterKeys {

  /**
   * Whether the key is a passphrase (the master key is derived with Argon2id).
   *
   * @return true for a passphrase, false for a raw 32-byte key
   */
  boolean passphrase();

  /**
   * The Argon2id parameters a new repository records: memory (KiB), iterations, parallelism.
   *
   * @return three values; meaningful only for a passphrase
   */
  int[] newArgon2Parameters();

  /**
   * The master key: the raw key, or Argon2id of the passphrase with {@code argon2} and {@code
   * salt}, refused before running when the parameters exceed the reader's bounds.
   *
   * @param argon2 memory (KiB), iterations, parallelism (ignored for a raw key)
   * @param salt the Argon2id salt (ignored for a raw key)
   * @return the 32-byte master key
   * @throws CorruptBackupException if the parameters are out of bounds
   */
  SecretBytes master(int[] argon2, byte[] salt) throws CorruptBackupException;
}
