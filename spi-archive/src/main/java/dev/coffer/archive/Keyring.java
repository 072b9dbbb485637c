package dev.coffer.archive;

import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The configured key source of a repository (none, a raw 32-byte master key, or a passphrase) and
 * the master keys derived from it. Argon2id results are cached per (salt, parameters), and a writer
 * uses one Argon2 salt per repository instance, so a passphrase costs one Argon2 run per instance,
 * not per archive; per-archive keys still differ because HKDF uses each archive's own salt.
 * Thread-safe. Never printed.
 */
final class Keyring {

  enum Kind {
    NONE,
    RAW,
    PASSPHRASE
  }

  /**
   * What a writer puts in the header and derives its keys from. Not a record: it holds the master
   * key.
   */
  static final class WriteKey {
    private final Argon2Params argon2;
    private final byte[] argon2Salt;
    private final SecretBytes master;

    WriteKey(Argon2Params argon2, byte[] argon2Salt, SecretBytes master) {
      this.argon2 = argon2;
      this.argon2Salt = argon2Salt;
      this.master = master;
    }

    /** The Argon2id parameters the header records, or {@code null} without a passphrase. */
    Argon2Params argon2() {
      return argon2;
    }

    /** The Argon2id salt the header records, or {@code null} without a passphrase. */
    byte[] argon2Salt() {
      return argon2Salt;
    }

    SecretBytes master() {
      return master;
    }

    @Override
    public String toString() {
      return "WriteKey[redacted]";
    }
  }

  private final Kind kind;
  private final SecretBytes secret;
  private final Argon2Params writeParams;
  private final long maxArgon2MemoryKib;
  private final int maxArgon2Iterations;
  private final Map<String, SecretBytes> derived =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, SecretBytes> eldest) {
          return size() > 16;
        }
      };
  private WriteKey writeKey;

  private Keyring(
      Kind kind,
      SecretBytes secret,
      Argon2Params writeParams,
      long maxArgon2MemoryKib,
      int maxArgon2Iterations) {
    this.kind = kind;
    this.secret = secret;
    this.writeParams = writeParams;
    // a reader never runs Argon2 above what this instance would write with, or the documented
    // ceiling
    this.maxArgon2MemoryKib =
        Math.max(maxArgon2MemoryKib, writeParams == null ? 0 : writeParams.memoryKib());
    this.maxArgon2Iterations =
        Math.max(maxArgon2Iterations, writeParams == null ? 0 : writeParams.iterations());
  }

  static Keyring none() {
    return new Keyring(Kind.NONE, null, null, 0, 0);
  }

  static Keyring rawKey(SecretBytes key) {
    if (key.length() != 32) {
      throw new IllegalArgumentException("a master key has 32 bytes, not " + key.length());
    }
    return new Keyring(Kind.RAW, key, null, 0, 0);
  }

  static Keyring passphrase(SecretBytes passphrase, Argon2Params writeParams) {
    return passphrase(
        passphrase, writeParams, DEFAULT_MAX_ARGON2_MEMORY_KIB, DEFAULT_MAX_ARGON2_ITERATIONS);
  }

  /**
   * A passphrase keyring that refuses to run Argon2 above {@code maxMemoryKib} and {@code
   * maxIterations} for reading (option {@code argon2-max-memory-kib}; the write parameters always
   * pass).
   */
  static Keyring passphrase(
      SecretBytes passphrase, Argon2Params writeParams, long maxMemoryKib, int maxIterations) {
    return new Keyring(Kind.PASSPHRASE, passphrase, writeParams, maxMemoryKib, maxIterations);
  }

  /**
   * Reading ceiling by default: 256 MiB and 4 passes (the writers' default is 64 MiB and 3 passes).
   */
  static final long DEFAULT_MAX_ARGON2_MEMORY_KIB = 256 * 1024;

  static final int DEFAULT_MAX_ARGON2_ITERATIONS = 4;

  Kind kind() {
    return kind;
  }

  /** The raw master key (only for {@link Kind#RAW}; aedb's archives use it directly). */
  SecretBytes rawKey() {
    if (kind != Kind.RAW) {
      throw new IllegalStateException("no raw key configured");
    }
    return secret;
  }

  /**
   * The key of aedb's {@code AEDBARC1} archives: the raw key itself, or {@code null} without a key.
   *
   * @throws WrongKeyException for a passphrase, which cannot open aedb's archives
   */
  SecretBytes aedbKey(String backupId) throws WrongKeyException {
    switch (kind) {
      case NONE:
        return null;
      case RAW:
        return secret;
      default:
        throw new WrongKeyException(
            "backup "
                + backupId
                + " is an aedb (AEDBARC1) archive: it opens with "
                + "aedb's 32-byte key (option key or key-file), not with a passphrase");
    }
  }

  /** The key a writer uses; for a passphrase, Argon2id runs once per instance with a fresh salt. */
  synchronized WriteKey forWriting(Entropy entropy) {
    switch (kind) {
      case NONE:
        return new WriteKey(null, null, ArchiveKeys.PLAIN_MASTER_KEY);
      case RAW:
        return new WriteKey(null, null, secret);
      default:
        if (writeKey == null) {
          byte[] salt = new byte[32];
          entropy.nextBytes(salt);
          writeKey = new WriteKey(writeParams, salt, derive(writeParams, salt));
        }
        return writeKey;
    }
  }

  /**
   * The master key for reading an archive with {@code header}, or a precise refusal. The header's
   * Argon2 parameters were bounded when it was read.
   */
  SecretBytes forReading(ArchiveHeader header) throws WrongKeyException, CorruptBackupException {
    String id = header.backupId;
    if (header.mode == Mode.PLAIN) {
      if (kind != Kind.NONE) {
        throw new CorruptBackupException(
            "backup "
                + id
                + " is a plain (unauthenticated) archive but a key is "
                + "configured: refusing it as a possible downgrade",
            null);
      }
      return ArchiveKeys.PLAIN_MASTER_KEY;
    }
    if (kind == Kind.NONE) {
      throw new WrongKeyException(
          "backup "
              + id
              + " is "
              + header.mode.name().toLowerCase(java.util.Locale.ROOT)
              + ": a key or passphrase is required to read it");
    }
    if (header.kdf == Format.KDF_ARGON2ID) {
      if (kind != Kind.PASSPHRASE) {
        throw new WrongKeyException(
            "backup " + id + " was written with a passphrase, but a key was given");
      }
      return derivePassphrase(header.argon2, header.argon2Salt);
    }
    if (kind != Kind.RAW) {
      throw new WrongKeyException(
          "backup " + id + " was written with a key, but a passphrase was given");
    }
    return secret;
  }

  /**
   * The master key of a passphrase for these Argon2 parameters and salt, derived once per instance;
   * refused before running when the parameters exceed this keyring's ceiling (a hostile header must
   * not cost a reader gigabytes or minutes).
   */
  SecretBytes derivePassphrase(Argon2Params params, byte[] salt) throws CorruptBackupException {
    if (params.memoryKib() > maxArgon2MemoryKib || params.iterations() > maxArgon2Iterations) {
      throw new CorruptBackupException(
          "Argon2 parameters m="
              + params.memoryKib()
              + " KiB, t="
              + params.iterations()
              + " exceed this reader's ceiling (m <= "
              + maxArgon2MemoryKib
              + " KiB, t <= "
              + maxArgon2Iterations
              + "; option argon2-max-memory-kib raises the memory ceiling)",
          null);
    }
    return derive(params, salt);
  }

  /**
   * Makes this instance write with the repository's Argon2 salt and parameters (its key check
   * records them), so one Argon2 run serves the key check and every archive this instance writes.
   */
  synchronized void adoptWriteSalt(Argon2Params params, byte[] salt) throws CorruptBackupException {
    if (kind == Kind.PASSPHRASE
        && (writeKey == null || !Arrays.equals(writeKey.argon2Salt(), salt))) {
      writeKey = new WriteKey(params, salt.clone(), derivePassphrase(params, salt));
    }
  }

  private synchronized SecretBytes derive(Argon2Params params, byte[] salt) {
    String cacheKey = params + HexFormat.of().formatHex(salt);
    SecretBytes k = derived.get(cacheKey);
    if (k == null) {
      k = params.derive(secret, salt);
      derived.put(cacheKey, k);
    }
    return k;
  }

  @Override
  public String toString() {
    return "Keyring[" + kind + ", redacted]";
  }

  /** A source of random bytes (injected in tests for deterministic known-answer archives). */
  @FunctionalInterface
  interface Entropy {
    void nextBytes(byte[] out);
  }

  static byte[] copy(byte[] b) {
    return b == null ? null : Arrays.copyOf(b, b.length);
  }
}
