package dev.coffer.local;

import static com.fasterxml.jackson.annotation.Nulls.FAIL;
import static com.fasterxml.jackson.annotation.OptBoolean.TRUE;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DatabindException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.CorruptBackupException;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.local.Manifest.Symlink;
import dev.coffer.spi.BackupIds;
import dev.coffer.spi.PosixAttributes;
import dev.coffer.spi.RelativePaths;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Parses {@code metadata.json}: Jackson binds the records below (types strict: no number read from a
 * string or a string from a number, no float as an integer, no null inside an array or object, duplicate
 * keys refused, unknown fields ignored as AmateRS's serde ignores them), then {@link #parse} checks what
 * types cannot say (ranges, paths with {@link RelativePaths#checkStored}, totals, nothing below a file or
 * link), since the file is untrusted input.
 */
final class ManifestReader {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
      .defaultSetterInfo(JsonSetter.Value.forContentNulls(FAIL))
      .build();

  // A field that may be absent but not null: @JacksonInject(optional, useInput) binds an absent one to
  // null, @JsonSetter(nulls = FAIL) refuses an explicit null. Any other field is checked for null below.

  /** The whole file: AmateRS's fields, then Coffer's (all absent from an AmateRS manifest). */
  record Document(
      String backupId,
      String createdAt,
      String sourceDir,
      Long totalFiles,
      Long totalBytes,
      Long checksum,
      JsonNode backupType,
      String version,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "coffer_format", useInput = TRUE, optional = TRUE)
      JsonNode cofferFormat,
      String provider,
      Map<String, String> labels,
      List<String> directories,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "directory_mtimes", useInput = TRUE, optional = TRUE)
      Map<String, String> directoryMtimes,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "directory_attributes", useInput = TRUE, optional = TRUE)
      Map<String, Posix> directoryAttributes,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "root_attributes", useInput = TRUE, optional = TRUE)
      Posix rootAttributes,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "warnings", useInput = TRUE, optional = TRUE)
      List<Warning> warnings,
      List<File> files,
      List<Link> symlinks) {}

  /** The POSIX fields of an entry. */
  record Posix(
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "mode", useInput = TRUE, optional = TRUE) String mode,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "uid", useInput = TRUE, optional = TRUE) Long uid,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "gid", useInput = TRUE, optional = TRUE) Long gid,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "owner", useInput = TRUE, optional = TRUE) String owner,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "group", useInput = TRUE, optional = TRUE) String group) {}

  /** A file entry, its POSIX fields beside its own. */
  record File(String path, Long size, Long crc32c, Long crc32, String mtime, Boolean linked,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "mode", useInput = TRUE, optional = TRUE) String mode,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "uid", useInput = TRUE, optional = TRUE) Long uid,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "gid", useInput = TRUE, optional = TRUE) Long gid,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "owner", useInput = TRUE, optional = TRUE) String owner,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "group", useInput = TRUE, optional = TRUE) String group) {}

  /** A symbolic link entry, its POSIX fields beside its own. */
  record Link(String path, String target,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "mode", useInput = TRUE, optional = TRUE) String mode,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "uid", useInput = TRUE, optional = TRUE) Long uid,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "gid", useInput = TRUE, optional = TRUE) Long gid,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "owner", useInput = TRUE, optional = TRUE) String owner,
      @JsonSetter(nulls = FAIL) @JacksonInject(value = "group", useInput = TRUE, optional = TRUE) String group) {}

  /** A warning entry. */
  record Warning(String path, String kind, String detail) {}

  private ManifestReader() {}

  /**
   * Parses a manifest read from the directory of backup {@code expectedId}.
   *
   * @throws CorruptBackupException if the bytes are not a well-formed manifest of that backup
   */
  static Manifest parse(byte[] json, String expectedId) throws CorruptBackupException {
    Document d = bind(json, expectedId);
    String id = text(d.backupId(), "backup_id", expectedId);
    if (!id.equals(expectedId)) {
      throw corrupt(expectedId, "metadata.json names backup '" + id + "', expected '" + expectedId + "'", null);
    }
    Instant createdAt;
    try {
      createdAt = OffsetDateTime.parse(text(d.createdAt(), "created_at", id)).toInstant();
    } catch (DateTimeParseException e) {
      throw corrupt(id, "created_at is not an RFC 3339 time: " + e.getParsedString(), e);
    }
    String sourceDir = text(d.sourceDir(), "source_dir", id);
    long totalFiles = number(d.totalFiles(), "total_files", id, Long.MAX_VALUE);
    long totalBytes = number(d.totalBytes(), "total_bytes", id, Long.MAX_VALUE);
    long checksum = number(d.checksum(), "checksum", id, 0xFFFFFFFFL);
    String version = text(d.version(), "version", id);
    JsonNode type = d.backupType();
    BackupType backupType;
    String base = null;
    if (type != null && type.isTextual() && type.textValue().equals("Full")) {
      backupType = BackupType.FULL;
    } else if (type != null && type.isObject() && type.size() == 1 && type.get("Incremental") != null
        && type.get("Incremental").isObject()) {
      backupType = BackupType.INCREMENTAL;
      JsonNode baseNode = type.get("Incremental").get("base_backup_id");
      base = text(baseNode != null && baseNode.isTextual() ? baseNode.textValue() : null, "base_backup_id", id);
      if (!BackupIds.isValid(base)) {
        throw corrupt(id, "malformed base backup id in backup_type", null);
      }
    } else {
      throw corrupt(id, "backup_type is neither \"Full\" nor {\"Incremental\":{...}}", null);
    }
    if (d.cofferFormat() == null) {
      BackupMetadata meta = new BackupMetadata(id, createdAt, sourceDir, totalFiles, totalBytes, backupType, base,
          Layout.NAME, version, Map.of());
      return new Manifest(meta, checksum, false, List.of(), List.of(), List.of());
    }
    if (!d.cofferFormat().isInt() || d.cofferFormat().intValue() != Manifest.FORMAT) {
      throw corrupt(id, "unsupported coffer_format " + d.cofferFormat(), null);
    }
    String provider = text(d.provider(), "provider", id);
    if (d.labels() == null) {
      throw corrupt(id, "labels is missing or not an object", null);
    }
    Map<String, String> labels = new TreeMap<>(d.labels());
    Set<String> seen = new HashSet<>();
    List<String> directories = new ArrayList<>();
    for (String dir : array(d.directories(), "directories", id)) {
      directories.add(unique(seen, RelativePaths.checkStored(dir, id), id));
    }
    Map<String, Instant> directoryTimes = directoryTimes(d, new HashSet<>(directories), id);
    Map<String, PosixAttributes> directoryAttributes = new LinkedHashMap<>();
    if (d.directoryAttributes() != null) {
      Set<String> known = new HashSet<>(directories);
      for (Map.Entry<String, Posix> e : d.directoryAttributes().entrySet()) {
        if (!known.contains(e.getKey())) {
          throw corrupt(id, "'directory_attributes' names '" + RelativePaths.printable(e.getKey())
              + "', which is not a recorded directory", null);
        }
        Posix p = e.getValue();
        if (p.mode() == null) {
          throw corrupt(id, "the attributes of directory '" + RelativePaths.printable(e.getKey())
              + "' are not an object with a mode", null);
        }
        directoryAttributes.put(e.getKey(), posix(p.mode(), p.uid(), p.gid(), p.owner(), p.group(), e.getKey(), id));
      }
    }
    PosixAttributes rootAttributes = null;
    Posix root = d.rootAttributes();
    if (root != null) {
      if (root.mode() == null) {
        throw corrupt(id, "'root_attributes' is not an object with a mode", null);
      }
      rootAttributes = posix(root.mode(), root.uid(), root.gid(), root.owner(), root.group(), ".", id);
    }
    List<BackupWarning> warnings = new ArrayList<>();
    if (d.warnings() != null) {
      for (Warning w : d.warnings()) {
        String path = RelativePaths.checkStored(text(w.path(), "path", id), id);
        String detail = text(w.detail(), "detail", id);
        String kind = text(w.kind(), "kind", id);
        // a kind from a newer version is information this one cannot name: left out, never an error
        if (Arrays.stream(BackupWarning.Kind.values()).anyMatch(k -> k.name().equals(kind))) {
          warnings.add(new BackupWarning(path, BackupWarning.Kind.valueOf(kind), detail));
        }
      }
    }
    List<FileEntry> files = new ArrayList<>();
    long sum = 0;
    for (File o : array(d.files(), "files", id)) {
      String path = unique(seen, RelativePaths.checkStored(text(o.path(), "path", id), id), id);
      long size = number(o.size(), "size", id, Long.MAX_VALUE);
      if (o.linked() == null) {
        throw corrupt(id, "file entry '" + path + "' has no boolean 'linked'", null);
      }
      Instant mtime;
      try {
        mtime = Times.parse(text(o.mtime(), "mtime", id));
      } catch (DateTimeParseException e) {
        throw corrupt(id, "file entry '" + path + "' has a malformed mtime", e);
      }
      files.add(new FileEntry(path, size, number(o.crc32c(), "crc32c", id, 0xFFFFFFFFL),
          number(o.crc32(), "crc32", id, 0xFFFFFFFFL), mtime, o.linked(),
          posix(o.mode(), o.uid(), o.gid(), o.owner(), o.group(), path, id)));
      sum += size;
      if (sum < 0) {
        throw corrupt(id, "file sizes overflow", null);
      }
    }
    List<Symlink> symlinks = new ArrayList<>();
    for (Link o : array(d.symlinks(), "symlinks", id)) {
      String path = unique(seen, RelativePaths.checkStored(text(o.path(), "path", id), id), id);
      String target = text(o.target(), "target", id);
      if (target.isEmpty() || target.indexOf('\0') >= 0 || target.length() > RelativePaths.MAX_PATH_BYTES) {
        throw corrupt(id, "symlink '" + path + "' has a malformed target", null);
      }
      symlinks.add(new Symlink(path, target, posix(o.mode(), o.uid(), o.gid(), o.owner(), o.group(), path, id)));
    }
    // Nothing may be stored below a file or a link: a restore would otherwise write through it.
    Set<String> leaves = new HashSet<>();
    files.forEach(e -> leaves.add(e.path()));
    symlinks.forEach(s -> leaves.add(s.path()));
    for (String p : seen) {
      for (String ancestor : RelativePaths.ancestors(p)) {
        if (leaves.contains(ancestor)) {
          throw new CorruptBackupException("entry '" + p + "' of backup " + id + " lies below the file or link '"
              + ancestor + "'", p);
        }
      }
    }
    if (files.size() != totalFiles || sum != totalBytes) {
      throw corrupt(id, "totals (" + totalFiles + " files, " + totalBytes + " bytes) do not match the entries ("
          + files.size() + " files, " + sum + " bytes)", null);
    }
    BackupMetadata meta = new BackupMetadata(id, createdAt, sourceDir, totalFiles, totalBytes, backupType, base,
        provider, version, labels, warnings);
    return new Manifest(meta, checksum, true, files, directories, symlinks, directoryTimes, directoryAttributes,
        rootAttributes);
  }

  private static Document bind(byte[] json, String id) throws CorruptBackupException {
    Document d;
    try {
      d = MAPPER.readValue(json, Document.class);
    } catch (DatabindException e) {
      String where = e instanceof JsonMappingException m ? m.getPath().stream()
          .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
          .collect(Collectors.joining("/")) : "";
      throw corrupt(id, "metadata.json does not have the manifest's shape at '" + RelativePaths.printable(where)
          + "': " + e.getClass().getSimpleName(), e);
    } catch (JsonProcessingException e) {
      throw corrupt(id, "metadata.json is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw corrupt(id, "metadata.json is not readable JSON", e);
    }
    if (d == null) {
      throw corrupt(id, "metadata.json is not a JSON object", null);
    }
    return d;
  }

  /** {@code directory_mtimes}: every key a recorded directory, every value an instant, in file order. */
  private static Map<String, Instant> directoryTimes(Document d, Set<String> known, String id)
      throws CorruptBackupException {
    Map<String, Instant> directoryTimes = new LinkedHashMap<>();
    if (d.directoryMtimes() == null) {
      return directoryTimes;
    }
    for (Map.Entry<String, String> e : d.directoryMtimes().entrySet()) {
      if (!known.contains(e.getKey())) {
        throw corrupt(id, "'directory_mtimes' names '" + RelativePaths.printable(e.getKey())
            + "', which is not a recorded directory", null);
      }
      try {
        directoryTimes.put(e.getKey(), Times.parse(e.getValue()));
      } catch (DateTimeParseException bad) {
        throw corrupt(id, "directory '" + e.getKey() + "' has a malformed mtime", bad);
      }
    }
    return directoryTimes;
  }

  /**
   * The POSIX fields of an entry, or null when it has none. The mode is four octal digits; ids are
   * whole numbers up to 2^31-1; names are checked as {@link PosixAttributes} checks them.
   */
  private static PosixAttributes posix(String mode, Long uid, Long gid, String owner, String group, String path,
      String id) throws CorruptBackupException {
    if (mode == null) {
      if (uid != null || gid != null || owner != null || group != null) {
        throw corrupt(id, "entry '" + RelativePaths.printable(path) + "' has an owner but no mode", null);
      }
      return null;
    }
    if (!mode.matches("[0-7]{4}")) {
      throw corrupt(id, "entry '" + RelativePaths.printable(path) + "' has a mode that is not four octal digits", null);
    }
    int u = uid != null ? (int) number(uid, "uid", id, Integer.MAX_VALUE) : -1;
    int g = gid != null ? (int) number(gid, "gid", id, Integer.MAX_VALUE) : -1;
    try {
      return new PosixAttributes(Integer.parseInt(mode, 8), u, g, owner, group);
    } catch (IllegalArgumentException e) {
      throw corrupt(id, "entry '" + RelativePaths.printable(path) + "' has malformed attributes: " + e.getMessage(), e);
    }
  }

  private static String unique(Set<String> seen, String path, String id) throws CorruptBackupException {
    if (!seen.add(path)) {
      throw new CorruptBackupException("path '" + path + "' is listed twice in backup " + id, path);
    }
    return path;
  }

  private static <T> List<T> array(List<T> value, String field, String id) throws CorruptBackupException {
    if (value == null) {
      throw corrupt(id, "field '" + field + "' is missing or not an array", null);
    }
    return value;
  }

  private static String text(String value, String field, String id) throws CorruptBackupException {
    if (value == null) {
      throw corrupt(id, "field '" + field + "' is missing or not a string", null);
    }
    return value;
  }

  private static long number(Long value, String field, String id, long max) throws CorruptBackupException {
    if (value == null || value < 0 || value > max) {
      throw corrupt(id, "field '" + field + "' is missing or not a whole number from 0 to " + max, null);
    }
    return value;
  }

  private static CorruptBackupException corrupt(String id, String what, Throwable cause) {
    return new CorruptBackupException("backup " + id + ": " + what, null, cause);
  }
}
