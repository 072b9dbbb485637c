package dev.coffer.archive.v2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.BackupMetadata;
import dev.coffer.CorruptBackupException;
import dev.coffer.archive.SecretBytes;
import dev.coffer.store.ObjectInfo;
import dev.coffer.store.ObjectStore;
import dev.coffer.store.WriteMode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The catalog of a format-2 repository: {@code catalog/<generation>} objects (16 lowercase hex
 * digits, the newest is the greatest) each holding what {@code list()} shows of many backups (the
 * commit's summary and the {@code meta/<id>} fields), so that a listing of 10,000 backups is one
 * LIST of {@code commits/}, one LIST of {@code catalog/} and one GET, plus two GETs per backup the
 * newest catalog lacks.
 *
 * <p>The commits stay the truth: an entry is used only for a backup whose commit is listed, and a
 * catalog that is missing, damaged, foreign, sealed under another key or older than the newest
 * commits only costs the GETs of what it lacks. It is sealed with AES-256-GCM under a key only
 * readers hold, with the repository id and its generation as associated data, so whoever can write
 * to the store but lacks that key cannot add or alter a listed backup, nor move a catalog to
 * another generation or repository:
 *
 * <ul>
 *   <li>mode {@code encrypted}: HKDF-Expand(HKDF-Extract(repository id, master), {@code
 *       "coffer-archive-v2 catalog"}, 32);
 *   <li>mode {@code recipients}: the same with X25519(identity, its own public key) as input key: a
 *       secret only the identity's holder computes. A write-only host (recipients only) neither
 *       reads nor writes the catalog, since it could forge an entry with public keys alone; each
 *       identity seals its own catalog, and a reader tries each of its identities.
 * </ul>
 *
 * A reader given {@code trusted-host} uses no catalog (an entry cannot carry the host's signature
 * check): it reads every commit.
 *
 * <pre>
 * version 0x01 | nonce (12, random) | AES-256-GCM(json) || tag (16)
 * aad = "coffer-archive-v2 catalog" 0x00 | repository id (16) | generation (8, big-endian)
 * json = {"backups": [{"backup_id", "created_at", "base_backup_id", "files", "logical_bytes",
 *                      "meta": {the fields of meta/&lt;id&gt;}}]}
 * </pre>
 */
final class V2Catalog {

  /** The key prefix of catalog objects. */
  static final String CATALOG = "catalog/";

  /** Backups the newest catalog may lack before a backup writes a new generation. */
  static final int EVERY = 16;

  /** The most bytes a catalog may have (about 2 million backups). */
  static final int MAX_BYTES = 512 * 1024 * 1024;

  private static final System.Logger LOG = System.getLogger("dev.coffer.archive");
  private static final byte VERSION = 1;
  private static final byte[] LABEL =
      "coffer-archive-v2 catalog".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A catalog as read: its object (name, size, time) and its entries by backup id. */
  private record Loaded(ObjectInfo object, long generation, Map<String, BackupMetadata> entries) {}

  private final ObjectStore store;
  private final String prefix;
  private final String commits;
  private final UUID repositoryId;
  private final List<SecretBytes> keys;
  private final int every;
  private volatile Loaded cached;

  /**
   * The catalog of the repository at {@code location}; {@code keys} seal (the first) and open (any)
   * it, and none disables it.
   */
  V2Catalog(V2Location location, List<SecretBytes> keys, int every) {
    this.store = location.store();
    this.prefix = location.layout().of(CATALOG);
    this.commits = location.layout().commits();
    this.repositoryId = location.repositoryId();
    this.keys = List.copyOf(keys);
    this.every = every;
  }

  /**
   * The catalog of a repository opened with {@code settings}: under the master key's catalog key,
   * or its identities' (mode {@code recipients}); none for a write-only host or a reader given
   * {@code trusted-host}.
   */
  static V2Catalog of(V2Location location, SecretBytes master, V2Settings settings) {
    List<SecretBytes> keys = new ArrayList<>();
    if (settings.trustedHost == null) {
      if (master != null) {
        keys.add(key(master, location.repositoryId()));
      } else {
        for (X25519Identity identity : settings.identities) {
          keys.add(key(identity, location.repositoryId()));
        }
      }
    }
    return new V2Catalog(location, keys, EVERY);
  }

  /** The catalog key of mode {@code encrypted}. */
  static SecretBytes key(SecretBytes master, UUID repositoryId) {
    return V2Metadata.derive(Ids.bytes(repositoryId), master, LABEL);
  }

  /** The catalog key of {@code identity} in mode {@code recipients}. */
  static SecretBytes key(X25519Identity identity, UUID repositoryId) {
    byte[] own = identity.agree(identity.recipient().publicKey());
    try {
      SecretBytes ikm = new SecretBytes(own);
      try {
        return V2Metadata.derive(Ids.bytes(repositoryId), ikm, LABEL);
      } finally {
        ikm.destroy();
      }
    } finally {
      Arrays.fill(own, (byte) 0);
    }
  }

  /** Whether this catalog is used: a key to seal and open it. */
  boolean enabled() {
    return !keys.isEmpty();
  }

  /**
   * The entries of the newest catalog that opens, by backup id (empty when there is none): one LIST
   * of {@code catalog/}, and one GET unless the newest is the one already read.
   */
  Map<String, BackupMetadata> entries() throws IOException {
    if (!enabled()) {
      return Map.of(); // no request: this instance holds no catalog key
    }
    Loaded l = newest(store.list(prefix));
    return l == null ? Map.of() : l.entries();
  }

  /**
   * After a backup: writes a new generation when the newest catalog lacks {@link #EVERY} or more
   * listed commits, with every listed backup ({@code lister} lists them, reading what the catalog
   * lacks), then removes generations older than the one it replaced. Best effort: a failure, or a
   * lost race with another writer of the same generation, only costs GETs at the next listing.
   *
   * @return whether a generation was written
   */
  boolean update(Lister lister) {
    if (!enabled()) {
      return false;
    }
    try {
      List<String> committed = new ArrayList<>();
      for (ObjectInfo o : store.list(commits)) {
        committed.add(o.key().substring(commits.length()));
      }
      List<ObjectInfo> catalogs = store.list(prefix);
      Loaded newest = newest(catalogs);
      Set<String> known = newest == null ? Set.of() : newest.entries().keySet();
      long lack = committed.stream().filter(id -> !known.contains(id)).count();
      if (lack < every) {
        return false;
      }
      long generation = Math.max(newest == null ? 0 : newest.generation(), latest(catalogs)) + 1;
      write(generation, lister.list());
      for (ObjectInfo o : catalogs) {
        long g = generation(o.key());
        if (g >= 0 && g < generation - 1) {
          store.delete(o.key()); // the previous generation stays for listings already under way
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "catalog not updated: {0}", e.toString());
      return false;
    }
  }

  /**
   * After backups were removed: removes every catalog generation (best effort) when fewer than
   * {@link #EVERY} backups are listed, or when half of the newest catalog's entries have no commit
   * any more, since it would then save fewer reads than it costs; the next backups write a new one.
   */
  void afterRemoval(List<BackupMetadata> listed) {
    if (!enabled()) {
      return; // what it cannot read, it leaves to those who can
    }
    try {
      List<ObjectInfo> catalogs = store.list(prefix);
      Loaded newest = newest(catalogs);
      if (newest == null && catalogs.isEmpty()) {
        return;
      }
      Set<String> ids = new java.util.HashSet<>();
      listed.forEach(m -> ids.add(m.backupId()));
      long stale =
          newest == null
              ? 0
              : newest.entries().keySet().stream().filter(id -> !ids.contains(id)).count();
      if (listed.size() < every || (newest != null && stale * 2 >= newest.entries().size())) {
        for (ObjectInfo o : catalogs) {
          if (generation(o.key()) >= 0) {
            store.delete(o.key());
          }
        }
        cached = null;
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "catalog not removed: {0}", e.toString());
    }
  }

  /** What lists the backups a new catalog holds. */
  interface Lister {
    /** The listed backups. */
    List<BackupMetadata> list() throws IOException;
  }

  /** Writes generation {@code generation} holding {@code backups}, if no such object exists. */
  void write(long generation, List<BackupMetadata> backups) throws IOException {
    ObjectNode root = V2Json.object();
    ArrayNode list = root.putArray("backups");
    for (BackupMetadata m : backups) {
      ObjectNode e = list.addObject();
      e.put("backup_id", m.backupId());
      e.put("created_at", m.createdAt().toString());
      e.put("base_backup_id", m.baseBackupId());
      e.put("files", m.totalFiles());
      e.put("logical_bytes", m.totalBytes());
      e.set("meta", V2Metadata.fields(m));
    }
    byte[] json = V2Json.bytes(root);
    byte[] nonce = new byte[V2Format.NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    byte[] sealed = new Gcm(keys.get(0)).seal(nonce, aad(generation), json);
    byte[] object =
        ByteBuffer.allocate(1 + nonce.length + sealed.length)
            .put(VERSION)
            .put(nonce)
            .put(sealed)
            .array();
    store.write(name(generation), new ByteArrayInputStream(object), WriteMode.IF_ABSENT);
  }

  /** The key of generation {@code generation}. */
  String name(long generation) {
    return prefix + String.format("%016x", generation);
  }

  /** The generation a catalog key names, or -1. */
  private long generation(String key) {
    String g = key.substring(prefix.length());
    if (g.length() != 16
        || !g.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return -1;
    }
    long value = Long.parseUnsignedLong(g, 16);
    return value < 0 ? -1 : value;
  }

  private long latest(List<ObjectInfo> catalogs) {
    return catalogs.stream().mapToLong(o -> generation(o.key())).max().orElse(0);
  }

  /**
   * The newest catalog of {@code catalogs} that opens, or null: a damaged or foreign one is passed
   * over for the one before it (each costs a GET).
   */
  private Loaded newest(List<ObjectInfo> catalogs) throws IOException {
    if (!enabled()) {
      return null;
    }
    List<ObjectInfo> named = new ArrayList<>();
    for (ObjectInfo o : catalogs) {
      if (generation(o.key()) >= 0) {
        named.add(o);
      }
    }
    named.sort((a, b) -> b.key().compareTo(a.key()));
    for (ObjectInfo o : named) {
      Loaded c = cached;
      if (c != null
          && c.object().key().equals(o.key())
          && c.object().sizeBytes() == o.sizeBytes()
          && c.object().lastModified().equals(o.lastModified())) {
        return c;
      }
      try {
        Loaded l = read(o);
        cached = l;
        return l;
      } catch (CorruptBackupException | java.nio.file.NoSuchFileException e) {
        LOG.log(System.Logger.Level.DEBUG, "catalog {0} passed over: {1}", o.key(), e.toString());
      }
    }
    return null;
  }

  private Loaded read(ObjectInfo o) throws IOException {
    if (o.sizeBytes() > MAX_BYTES) {
      throw corrupt(o.key(), "too large");
    }
    byte[] stored;
    try (InputStream in = store.read(o.key(), 0, MAX_BYTES + 1L)) {
      stored = in.readNBytes(MAX_BYTES + 1);
    }
    long generation = generation(o.key());
    int header = 1 + V2Format.NONCE_BYTES;
    if (stored.length < header + V2Format.TAG_BYTES
        || stored.length > MAX_BYTES
        || stored[0] != VERSION) {
      throw corrupt(o.key(), "malformed");
    }
    byte[] nonce = Arrays.copyOfRange(stored, 1, header);
    for (SecretBytes key : keys) {
      byte[] json =
          new Gcm(key).open(nonce, aad(generation), stored, header, stored.length - header);
      if (json != null) {
        Map<String, BackupMetadata> entries =
            V2Json.parse(json, "catalog " + o.key(), V2Catalog::entries);
        return new Loaded(o, generation, entries);
      }
    }
    throw corrupt(o.key(), "failed authentication (another key, or modified bytes)");
  }

  private static Map<String, BackupMetadata> entries(JsonNode root) {
    V2Json.fields(root, "backups");
    Map<String, BackupMetadata> out = new HashMap<>();
    for (BackupMetadata m : V2Json.list(root, "backups", V2Catalog::entry)) {
      out.put(m.backupId(), m);
    }
    return out;
  }

  private static BackupMetadata entry(JsonNode e) {
    V2Json.fields(e, "backup_id", "created_at", "base_backup_id", "files", "logical_bytes", "meta");
    String id = V2Json.text(e, "backup_id");
    String base = V2Json.text(e, "base_backup_id");
    if (id == null
        || !CommitStatement.validBackupId(id)
        || (base != null && !CommitStatement.validBackupId(base))) {
      throw new V2Json.Malformed("an entry's backup id is malformed");
    }
    Instant created;
    try {
      created = Instant.parse(String.valueOf(V2Json.text(e, "created_at")));
    } catch (DateTimeParseException ex) {
      throw new V2Json.Malformed("an entry's time is malformed");
    }
    long files = V2Json.integer(e, "files");
    long bytes = V2Json.integer(e, "logical_bytes");
    if (files < 0 || bytes < 0) {
      throw new V2Json.Malformed("an entry's counts are negative");
    }
    V2Summary summary =
        new V2Summary(
            id,
            created,
            base == null ? V2Manifest.FULL : V2Manifest.INCREMENTAL,
            base,
            files,
            bytes,
            0);
    return V2Metadata.join(e.get("meta"), summary);
  }

  private byte[] aad(long generation) {
    return ByteBuffer.allocate(LABEL.length + 1 + 16 + 8)
        .put(LABEL)
        .put((byte) 0)
        .put(Ids.bytes(repositoryId))
        .putLong(generation)
        .array();
  }

  private static CorruptBackupException corrupt(String key, String what) {
    return new CorruptBackupException("catalog object " + key + " " + what, key);
  }

  @Override
  public String toString() {
    return "V2Catalog[" + prefix + (enabled() ? "" : ", disabled") + ", keys redacted]";
  }
}
