package dev.coffer.archive;

import dev.coffer.CorruptBackupException;
import dev.coffer.WrongKeyException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The repository's key check (docs/archive-format.md, section 1): one small file recording the mode
 * every archive of the repository is written in and a value derived from its key, so that {@code
 * open} with a wrong key, or another mode, fails before anything is written, and so that one
 * damaged or planted archive is known to be that archive's problem, not the caller's key.
 *
 * <pre>
 * magic "CFKEYCK1" (8) | mode (1) | kdf (1) | m u32 | t u32 | p u32 | argon2 salt (32) | check salt (32) | check (32)
 * check = HKDF-Expand(HKDF-Extract(check salt, master), "coffer-archive-v1 repository-key-check" || 0x00 || bytes [0, 86), 32)
 * </pre>
 */
final class KeyCheck {

  static final String FILE = "coffer-archive-key";
  private static final byte[] MAGIC = "CFKEYCK1".getBytes(StandardCharsets.US_ASCII);
  static final int LENGTH = 8 + 1 + 1 + 12 + 32 + 32 + 32;
  private static final int SIGNED_LENGTH = LENGTH - 32;
  private static final byte[] LABEL =
      "coffer-archive-v1 repository-key-check".getBytes(StandardCharsets.US_ASCII);

  /** How many of the newest archives a repository without a key check tries before it decides. */
  private static final int PROBES = 3;

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  /** What the file says. */
  record Recorded(
      Mode mode,
      int kdf,
      Argon2Params argon2,
      byte[] argon2Salt,
      byte[] checkSalt,
      byte[] check,
      byte[] signedBytes) {
    @Override
    public String toString() {
      return "KeyCheck[" + mode + ", kdf " + kdf + "]";
    }
  }

  private KeyCheck() {}

  /**
   * Checks {@code keyring} and {@code requestedMode} against the repository at {@code location} and
   * returns the mode new archives are written in; creates the key check where the repository has
   * none and the caller chose a key or {@code mode=plain}.
   *
   * @param requestedMode the mode the options ask for, or null when none was given
   * @param explicitMode whether the options named the mode (an implied default adapts to the
   *     repository)
   * @return the write mode (null: this instance cannot write)
   * @throws WrongKeyException if the key does not match the repository's, or the mode differs
   * @throws CorruptBackupException if the key check file is malformed
   */
  static Mode verifyOrCreate(
      Path location,
      Keyring keyring,
      Mode requestedMode,
      boolean explicitMode,
      Keyring.Entropy entropy)
      throws IOException {
    Path file = location.resolve(FILE);
    Optional<Recorded> recorded = read(file);
    if (recorded.isEmpty()) {
      Optional<Mode> fromArchives = probeArchives(location, keyring);
      if (fromArchives.isEmpty() && RepositoryLayout.holdsAedbArchives(location)) {
        return requestedMode; // aedb's archives cannot be probed for a key: no key check is made
        // here
      }
      Mode mode = fromArchives.orElse(requestedMode);
      if (fromArchives.isPresent() && explicitMode && requestedMode != fromArchives.get()) {
        throw modeDiffers(location, fromArchives.get(), requestedMode);
      }
      if (mode == null) {
        return null; // no key, no mode: a reader of a repository that has no key check (yet)
      }
      recorded = Optional.of(create(file, mode, keyring, entropy));
    }
    Recorded r = recorded.get();
    check(location, r, keyring);
    if (explicitMode && requestedMode != r.mode()) {
      throw modeDiffers(location, r.mode(), requestedMode);
    }
    if (r.kdf() == Format.KDF_ARGON2ID) {
      keyring.adoptWriteSalt(
          r.argon2(), r.argon2Salt()); // one Argon2 run per instance, for checks and writes
    }
    return r.mode();
  }

  private static void check(Path location, Recorded r, Keyring keyring) throws IOException {
    String where = "repository " + location;
    if (r.mode() == Mode.PLAIN) {
      if (keyring.kind() != Keyring.Kind.NONE) {
        throw new WrongKeyException(
            where
                + " holds plain (unencrypted) archives: open it without a key or "
                + "passphrase");
      }
    } else if (keyring.kind() == Keyring.Kind.NONE) {
      throw new WrongKeyException(
          where + " is " + name(r.mode()) + ": a key or passphrase is required");
    } else if ((r.kdf() == Format.KDF_ARGON2ID) != (keyring.kind() == Keyring.Kind.PASSPHRASE)) {
      throw new WrongKeyException(
          where
              + " was created with "
              + (r.kdf() == Format.KDF_ARGON2ID ? "a passphrase" : "a key")
              + ", but "
              + (keyring.kind() == Keyring.Kind.PASSPHRASE ? "a passphrase" : "a key")
              + " was given");
    }
    SecretBytes master = master(r.mode(), r.kdf(), r.argon2(), r.argon2Salt(), keyring);
    if (!MessageDigest.isEqual(value(master, r.checkSalt(), r.signedBytes()), r.check())) {
      if (r.mode() == Mode.PLAIN) {
        throw new CorruptBackupException(
            "key check file " + FILE + " of " + where + " is damaged (checksum mismatch)", FILE);
      }
      throw new WrongKeyException("wrong key or passphrase for " + where);
    }
  }

  private static SecretBytes master(
      Mode mode, int kdf, Argon2Params argon2, byte[] salt, Keyring keyring) throws IOException {
    if (mode == Mode.PLAIN) {
      return ArchiveKeys.PLAIN_MASTER_KEY;
    }
    return kdf == Format.KDF_ARGON2ID ? keyring.derivePassphrase(argon2, salt) : keyring.rawKey();
  }

  private static Recorded create(Path file, Mode mode, Keyring keyring, Keyring.Entropy entropy)
      throws IOException {
    int kdf =
        mode != Mode.PLAIN && keyring.kind() == Keyring.Kind.PASSPHRASE
            ? Format.KDF_ARGON2ID
            : Format.KDF_NONE;
    Argon2Params argon2 = null;
    byte[] argon2Salt = new byte[32];
    if (kdf == Format.KDF_ARGON2ID) {
      Keyring.WriteKey wk = keyring.forWriting(entropy); // its salt becomes the repository's
      argon2 = wk.argon2();
      argon2Salt = wk.argon2Salt().clone();
    }
    byte[] checkSalt = new byte[32];
    RANDOM.nextBytes(
        checkSalt); // not the injected entropy: known-answer archives keep their random stream
    ByteBuffer b = ByteBuffer.allocate(LENGTH);
    b.put(MAGIC).put((byte) mode.code).put((byte) kdf);
    b.putInt(argon2 == null ? 0 : argon2.memoryKib())
        .putInt(argon2 == null ? 0 : argon2.iterations())
        .putInt(argon2 == null ? 0 : argon2.parallelism());
    b.put(argon2Salt).put(checkSalt);
    byte[] signed = Arrays.copyOf(b.array(), SIGNED_LENGTH);
    byte[] check = value(master(mode, kdf, argon2, argon2Salt, keyring), checkSalt, signed);
    b.put(check);
    Path temp =
        file.resolveSibling(Format.TEMP_PREFIX + FILE + "-" + Long.toHexString(System.nanoTime()));
    try {
      try (FileChannel ch =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer out = ByteBuffer.wrap(b.array());
        while (out.hasRemaining()) {
          ch.write(out);
        }
        ch.force(true); // durable before it is named: a crash never leaves a short key check
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file);
      }
    } catch (FileAlreadyExistsException raced) {
      // another instance created it first: its check is the repository's
    } finally {
      Files.deleteIfExists(temp);
    }
    return read(file)
        .orElseThrow(() -> new NoSuchFileException(file.toString(), null, "key check vanished"));
  }

  static Optional<Recorded> read(Path file) throws IOException {
    byte[] bytes;
    try {
      if (Files.size(file) != LENGTH) {
        throw malformed(file, "its size is " + Files.size(file) + " bytes, not " + LENGTH);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException absent) {
      return Optional.empty();
    }
    if (bytes.length != LENGTH || !Arrays.equals(Arrays.copyOf(bytes, 8), MAGIC)) {
      throw malformed(file, "bad magic or size");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes);
    b.position(8);
    Mode mode = Mode.ofCode(b.get() & 0xff);
    int kdf = b.get() & 0xff;
    long m = Integer.toUnsignedLong(b.getInt());
    long t = Integer.toUnsignedLong(b.getInt());
    long p = Integer.toUnsignedLong(b.getInt());
    if (mode == null || (kdf != Format.KDF_NONE && kdf != Format.KDF_ARGON2ID)) {
      throw malformed(file, "unknown mode or key derivation");
    }
    Argon2Params argon2 = null;
    if (kdf == Format.KDF_ARGON2ID) {
      String problem =
          mode == Mode.PLAIN ? "a passphrase for plain archives" : Argon2Params.problem(m, t, p);
      if (!problem.isEmpty()) {
        throw malformed(file, problem);
      }
      argon2 = new Argon2Params((int) m, (int) t, (int) p);
    } else if (m != 0 || t != 0 || p != 0) {
      throw malformed(file, "Argon2 parameters without Argon2");
    }
    byte[] argon2Salt = new byte[32];
    byte[] checkSalt = new byte[32];
    byte[] check = new byte[32];
    b.get(argon2Salt).get(checkSalt).get(check);
    return Optional.of(
        new Recorded(
            mode, kdf, argon2, argon2Salt, checkSalt, check, Arrays.copyOf(bytes, SIGNED_LENGTH)));
  }

  /**
   * For a repository written before key checks existed: opens the newest archives' headers with the
   * key. One that authenticates gives the repository's mode; if every archive tried refuses the
   * key, the key is wrong. Empty when there is nothing to decide from (no archive, or only damaged
   * ones).
   */
  private static Optional<Mode> probeArchives(Path location, Keyring keyring) throws IOException {
    List<Path> archives = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(location, "*" + Format.FILE_SUFFIX)) {
      ds.forEach(archives::add);
    }
    archives.sort(Collections.reverseOrder()); // UUIDv7 ids: newest first
    WrongKeyException refused = null;
    int tried = 0;
    for (Path p : archives) {
      if (tried++ == PROBES || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        break;
      }
      String name = p.getFileName().toString();
      String id = name.substring(0, name.length() - Format.FILE_SUFFIX.length());
      try (ArchiveReader r =
          ArchiveReader.open(p, id, keyring, GcmWarmupSwitch.OFF) /* the header only */) {
        return Optional.of(r.header.mode);
      } catch (WrongKeyException e) {
        refused = e;
      } catch (CorruptBackupException | NoSuchFileException damaged) {
        // says nothing about the key
      }
    }
    if (refused != null) {
      WrongKeyException wrong =
          new WrongKeyException(
              "wrong key or passphrase for repository "
                  + location
                  + ": none of its newest archives opens with it ("
                  + refused.getMessage()
                  + ")");
      wrong.initCause(refused);
      throw wrong;
    }
    return Optional.empty();
  }

  private static byte[] value(SecretBytes master, byte[] checkSalt, byte[] signed) {
    byte[] prk = Hkdf.extract(checkSalt, master.bytes());
    byte[] info = new byte[LABEL.length + 1 + signed.length];
    System.arraycopy(LABEL, 0, info, 0, LABEL.length);
    System.arraycopy(signed, 0, info, LABEL.length + 1, signed.length);
    byte[] out = Hkdf.expand(prk, info, 32);
    Arrays.fill(prk, (byte) 0);
    return out;
  }

  private static WrongKeyException modeDiffers(Path location, Mode repository, Mode requested) {
    return new WrongKeyException(
        "repository "
            + location
            + " is "
            + name(repository)
            + "; mode="
            + name(requested)
            + " would mix modes in one repository: leave the option out or use mode="
            + name(repository));
  }

  private static String name(Mode mode) {
    return mode == null ? "none" : mode.name().toLowerCase(Locale.ROOT);
  }

  private static CorruptBackupException malformed(Path file, String what) {
    return new CorruptBackupException(
        "key check file "
            + file
            + " is malformed: "
            + what
            + " (remove it to "
            + "re-create it from the repository's archives)",
        FILE);
  }
}
