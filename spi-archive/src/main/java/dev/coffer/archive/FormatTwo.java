package dev.coffer.archive;

import dev.coffer.CorruptBackupException;
import dev.coffer.RepositoryInfo;
import dev.coffer.archive.v2.HostPublicKey;
import dev.coffer.archive.v2.HostSigningKey;
import dev.coffer.archive.v2.MasterKeys;
import dev.coffer.archive.v2.StoreWriterLocks;
import dev.coffer.archive.v2.V2Places;
import dev.coffer.archive.v2.V2Repository;
import dev.coffer.archive.v2.V2Settings;
import dev.coffer.archive.v2.WriterLocks;
import dev.coffer.archive.v2.X25519Identity;
import dev.coffer.archive.v2.X25519Recipient;
import dev.coffer.spi.Capability;
import dev.coffer.spi.support.ChangedFilesPolicy;
import dev.coffer.spi.support.ProviderOptions;
import dev.coffer.store.ObjectStore;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code archive} provider's door to format 2 ({@code format=2}, or an existing format-2
 * repository, in a directory or an object store): parses the options as format 1 does and hands the
 * repository the v1 key source ({@link Keyring}: raw key or Argon2id passphrase, bounded) and
 * writer locks ({@link TemporaryArchive}'s lock files in a directory, which live in this package;
 * {@link StoreWriterLocks} in an object store).
 */
final class FormatTwo {

  private FormatTwo() {}

  /**
   * Whether {@code options} open format 2: {@code format=2}, or no {@code format} option and a
   * format-2 repository at {@code location}.
   *
   * @throws IllegalArgumentException if an option is malformed, or {@code format=1} names a
   *     format-2 repository
   */
  static boolean chosen(Path location, Map<String, String> options) {
    ProviderOptions o =
        ProviderOptions.parse(ArchiveBackupProvider.NAME, ArchiveBackupProvider.OPTIONS, options);
    boolean keyPairs =
        o.isSet("recipient")
            || o.isSet("recipients-file")
            || o.isSet("identity-file")
            || o.isSet("host-key-file")
            || o.isSet("state-file")
            || o.isSet("trusted-host");
    if (o.isSet("format")) {
      boolean two = o.getLong("format") == 2;
      if (!two && keyPairs) {
        throw o.invalid("format", "recipients, identities and host keys need format=2");
      }
      if (!two && o.isSet("block-size")) {
        throw o.invalid("format", "block-size needs format=2 (format 1's blocks are fixed)");
      }
      if (!two && V2Places.holdsRepository(location)) {
        throw o.invalid("format", "the repository is format 2: use format=2 or leave it out");
      }
      return two;
    }
    if (keyPairs && !V2Places.holdsRepository(location)) {
      throw new IllegalArgumentException(
          "options recipient, recipients-file, identity-file, host-key-file, state-file and "
              + "trusted-host of "
              + "provider 'archive' need format=2");
    }
    boolean two = V2Places.holdsRepository(location);
    if (!two && o.isSet("block-size")) {
      throw new IllegalArgumentException(
          "option block-size of provider 'archive' needs format=2 (format 1's blocks are fixed)");
    }
    return two;
  }

  /** Opens (creating if needed) the format-2 repository in the directory {@code location}. */
  static V2Repository open(
      Path location, Map<String, String> options, Clock clock, Supplier<String> ids)
      throws IOException {
    ProviderOptions o = parse(options);
    Locks locks = new Locks(location, leftoverAge(o));
    RepositoryInfo info = rekeyable(RepositoryInfo.of(new ArchiveBackupProvider(), location));
    V2Settings settings =
        settings(o, location, locks, info, clock, ids)
            .withNewKeys(k -> settings(newKeys(k), location, locks, info, clock, ids));
    return V2Places.inDirectory(location, settings, o.get("mode").orElse(null));
  }

  /**
   * Opens (creating if the store is empty and {@code format=2} is given) the format-2 repository at
   * the root of {@code store}. Key, recipient and identity files are read from the default file
   * system. Format 1 (one file per backup, published by a rename) has no object-store form.
   *
   * @throws IllegalArgumentException if an option is malformed, {@code format} is not 2, or it is
   *     missing and the store holds no format-2 repository
   */
  static V2Repository open(
      ObjectStore store, Map<String, String> options, Clock clock, Supplier<String> ids)
      throws IOException {
    ProviderOptions o = parse(options);
    if (o.isSet("format") && o.getLong("format") != 2) {
      throw o.invalid(
          "format",
          "a repository in an object store is format 2 (format 1 needs a file system): give "
              + "format=2");
    }
    Path files = FileSystems.getDefault().getPath("");
    StoreWriterLocks locks = new StoreWriterLocks(store, clock, leftoverAge(o));
    RepositoryInfo info = rekeyable(RepositoryInfo.of(new ArchiveBackupProvider(), store));
    V2Settings settings =
        settings(o, files, locks, info, clock, ids)
            .withNewKeys(k -> settings(newKeys(k), files, locks, info, clock, ids));
    if (!o.isSet("format") && !V2Places.holdsRepository(store)) {
      throw new IllegalArgumentException(
          "provider 'archive' keeps repositories in object stores in format 2 only, and "
              + store.uri()
              + " holds none yet: give format=2 to create one");
    }
    return V2Places.inStore(store, settings, o.get("mode").orElse(null));
  }

  /** The options a rekey's new keys may be given with. */
  static final List<String> NEW_KEY_OPTIONS =
      List.of(
          "key",
          "key-file",
          "passphrase",
          "passphrase-file",
          "argon2-memory-kib",
          "argon2-iterations",
          "argon2-parallelism",
          "recipient",
          "recipients-file");

  /** Format 2 can rekey: its repositories say so in {@code info()}. */
  private static RepositoryInfo rekeyable(RepositoryInfo info) {
    java.util.Set<Capability> caps = java.util.EnumSet.of(Capability.REKEY);
    caps.addAll(info.capabilities());
    return new RepositoryInfo(info.provider(), caps, info.location());
  }

  /** The new key options of a rekey, refusing any other option. */
  private static ProviderOptions newKeys(Map<String, String> options) {
    for (String name : options.keySet()) {
      if (!NEW_KEY_OPTIONS.contains(name)) {
        throw new IllegalArgumentException(
            "option '"
                + name
                + "' of provider 'archive' is not a new key for rekey: give one of "
                + NEW_KEY_OPTIONS);
      }
    }
    if (options.isEmpty()) {
      throw new IllegalArgumentException(
          "rekey of provider 'archive' needs the new keys: one of " + NEW_KEY_OPTIONS);
    }
    return ProviderOptions.parse(
        ArchiveBackupProvider.NAME, ArchiveBackupProvider.OPTIONS, options);
  }

  private static ProviderOptions parse(Map<String, String> options) {
    ProviderOptions o =
        ProviderOptions.parse(ArchiveBackupProvider.NAME, ArchiveBackupProvider.OPTIONS, options);
    if (o.isSet("legacy-manifest-key")) {
      throw o.invalid(
          "legacy-manifest-key", "aedb archives are read in format-1 repositories only");
    }
    String mode = o.get("mode").orElse(null);
    if (mode != null && !List.of("encrypted", "signed", "plain").contains(mode)) {
      throw o.invalid("mode", "expected encrypted, signed or plain");
    }
    return o;
  }

  /**
   * The settings the options give; {@code files} is where relative key, recipient and identity file
   * names are resolved (its file system).
   */
  private static V2Settings settings(
      ProviderOptions o,
      Path files,
      WriterLocks locks,
      RepositoryInfo info,
      Clock clock,
      Supplier<String> ids) {
    ChangedFilesPolicy changedFiles = ChangedFilesPolicy.of(o);
    Keyring keyring = KeySources.keyring(files, o);
    List<X25519Recipient> recipients = recipients(files, o);
    List<X25519Identity> identities = identities(files, o);
    boolean keyPairs = !recipients.isEmpty() || !identities.isEmpty();
    if (keyring.kind() == Keyring.Kind.NONE && !keyPairs) {
      throw new IllegalArgumentException(
          "provider 'archive' with format=2 needs a key: give key, key-file, passphrase or "
              + "passphrase-file (or recipient, recipients-file, identity-file for a write-only "
              + "repository)");
    }
    if (keyring.kind() != Keyring.Kind.NONE && keyPairs) {
      throw new IllegalArgumentException(
          "provider 'archive': a key or passphrase and recipients or identities are exclusive "
              + "(a format-2 repository is either encrypted with a key or write-only)");
    }
    int threads =
        o.isSet("threads")
            ? (int) o.getLong("threads")
            : Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    int blockSize = (int) o.getLong("block-size");
    if (Integer.bitCount(blockSize) != 1) {
      throw o.invalid("block-size", "a power of two from 4096 to 1048576 (bytes)");
    }
    V2Settings settings =
        new V2Settings(
            hostKey(files, o),
            trustedHost(o),
            keyPairs ? null : new Keys(keyring, KeySources.argon2(o)),
            recipients,
            identities,
            locks,
            (int) o.getLong("level"),
            threads,
            o.getBoolean("rehash"),
            changedFiles,
            clock,
            ids,
            info,
            blockSize);
    settings.maxChain((int) o.getLong("max-chain"));
    return o.isSet("state-file")
        ? settings.withStateFile(files.getFileSystem().getPath(o.get("state-file").orElseThrow()))
        : settings;
  }

  private static List<X25519Recipient> recipients(Path location, ProviderOptions o) {
    List<X25519Recipient> out = new ArrayList<>();
    try {
      if (o.isSet("recipient")) {
        out.add(X25519Recipient.parse(o.get("recipient").orElseThrow()));
      }
      if (o.isSet("recipients-file")) {
        byte[] content = KeySources.readSmall(location, o, "recipients-file");
        for (String line : lines(content)) {
          X25519Recipient r = X25519Recipient.parse(line);
          if (!out.contains(r)) {
            out.add(r);
          }
        }
      }
    } catch (IllegalArgumentException e) {
      throw o.invalid(
          o.isSet("recipients-file") ? "recipients-file" : "recipient",
          "X25519 recipients, coffer-x25519-public:<base64 of 32 bytes>");
    }
    return out;
  }

  private static List<X25519Identity> identities(Path location, ProviderOptions o) {
    List<X25519Identity> out = new ArrayList<>();
    if (!o.isSet("identity-file")) {
      return out;
    }
    byte[] content = KeySources.readSmall(location, o, "identity-file");
    try {
      for (String line : lines(content)) {
        out.add(X25519Identity.parse(line));
      }
    } catch (IllegalArgumentException e) {
      // never echoes the file's content
      throw o.invalid("identity-file", "lines coffer-x25519-secret:<base64 of 32 bytes>");
    } finally {
      java.util.Arrays.fill(content, (byte) 0);
    }
    if (out.isEmpty()) {
      throw o.invalid("identity-file", "at least one identity");
    }
    return out;
  }

  private static HostSigningKey hostKey(Path location, ProviderOptions o) {
    if (!o.isSet("host-key-file")) {
      return null;
    }
    byte[] content = KeySources.readSmall(location, o, "host-key-file");
    try {
      List<String> lines = lines(content);
      if (lines.size() != 1) {
        throw new IllegalArgumentException("one key");
      }
      return HostSigningKey.parse(lines.get(0));
    } catch (IllegalArgumentException e) {
      // never echoes the file's content
      throw o.invalid("host-key-file", "one line coffer-ed25519-secret:<base64 of 32 bytes>");
    } finally {
      java.util.Arrays.fill(content, (byte) 0);
    }
  }

  private static HostPublicKey trustedHost(ProviderOptions o) {
    if (!o.isSet("trusted-host")) {
      return null;
    }
    try {
      return HostPublicKey.parse(o.get("trusted-host").orElseThrow());
    } catch (IllegalArgumentException e) {
      throw o.invalid("trusted-host", "coffer-ed25519-public:<base64 of 32 bytes>");
    }
  }

  /** The non-empty lines of a UTF-8 file, without comments ({@code #} to the end of the line). */
  private static List<String> lines(byte[] content) {
    List<String> out = new ArrayList<>();
    for (String line : new String(content, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
      int hash = line.indexOf('#');
      String l = (hash < 0 ? line : line.substring(0, hash)).strip();
      if (!l.isEmpty()) {
        out.add(l);
      }
    }
    return out;
  }

  /** A {@link Keyring} as format 2's key source. */
  private static final class Keys implements MasterKeys {
    private final Keyring keyring;
    private final Argon2Params writeParams;

    Keys(Keyring keyring, Argon2Params writeParams) {
      this.keyring = keyring;
      this.writeParams = writeParams;
    }

    @Override
    public boolean passphrase() {
      return keyring.kind() == Keyring.Kind.PASSPHRASE;
    }

    @Override
    public int[] newArgon2Parameters() {
      return new int[] {
        writeParams.memoryKib(), writeParams.iterations(), writeParams.parallelism()
      };
    }

    @Override
    public SecretBytes master(int[] argon2, byte[] salt) throws CorruptBackupException {
      if (!passphrase()) {
        return keyring.rawKey();
      }
      String problem = Argon2Params.problem(argon2[0], argon2[1], argon2[2]);
      if (!problem.isEmpty()) {
        throw new CorruptBackupException("repository config: " + problem, null);
      }
      return keyring.derivePassphrase(new Argon2Params(argon2[0], argon2[1], argon2[2]), salt);
    }

    @Override
    public String toString() {
      return "Keys[" + keyring + "]";
    }
  }

  /** Option {@code leftover-hours}, bounded by the option's range. */
  private static java.time.Duration leftoverAge(ProviderOptions o) {
    return java.time.Duration.ofHours(o.getLong("leftover-hours"));
  }

  /** The lock files {@code .lock-<id>} of {@link TemporaryArchive} in the repository directory. */
  private static final class Locks implements WriterLocks {
    private final Path root;
    private final java.time.Duration age;

    Locks(Path root, java.time.Duration age) {
      this.root = root;
      this.age = age;
    }

    @Override
    public java.time.Duration leftoverAge() {
      return age;
    }

    @Override
    public Closeable begin(String backupId) throws IOException {
      TemporaryArchive lock = TemporaryArchive.begin(root, backupId);
      lock.published(); // format 2 writes no temporary file at the root: close removes the lock
      // only
      return lock::close;
    }

    @Override
    public boolean abandoned(String backupId) throws IOException {
      return TemporaryArchive.removeIfAbandoned(root, backupId);
    }

    @Override
    public List<String> lockedIds() throws IOException {
      List<String> ids = new ArrayList<>();
      if (!Files.isDirectory(root)) {
        return ids;
      }
      try (DirectoryStream<Path> ds =
          Files.newDirectoryStream(
              root, p -> p.getFileName().toString().startsWith(TemporaryArchive.LOCK_PREFIX))) {
        for (Path p : ds) {
          String id = TemporaryArchive.idOf(p.getFileName().toString());
          if (id != null) {
            ids.add(id);
          }
        }
      }
      return ids;
    }
  }
}
