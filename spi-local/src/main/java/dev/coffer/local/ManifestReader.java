package dev.coffer.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.coffer.BackupId;
import dev.coffer.BackupMetadata;
import dev.coffer.BackupType;
import dev.coffer.BackupWarning;
import dev.coffer.CorruptBackupException;
import dev.coffer.local.Manifest.FileEntry;
import dev.coffer.local.Manifest.Symlink;
import dev.coffer.spi.support.PosixAttributes;
import dev.coffer.spi.support.RelativePaths;
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

/**
 * Parses {@code metadata.json} strictly (types, ranges, duplicate keys, every path checked with
 * {@link RelativePaths#checkStored}), since the file is untrusted input; unknown fields are
 * ignored, as AmateRS's serde ignores them. It walks a tree instead of binding records: binding
 * cost a process's first parse ~100 ms more CPU (docs/benchmarks.md, "Performance seams of the
 * local provider"); and the tree is a {@link JsonTree} read with jackson-core's streaming parser,
 * not databind's, which a cold {@code coffer list} paid for in class loading (docs/benchmarks.md,
 * cold start, session 7).
 */
final class ManifestReader {

  private ManifestReader() {}

  /**
   * Parses a manifest read from the directory of backup {@code expectedId}.
   *
   * @throws CorruptBackupException if the bytes are not a well-formed manifest of that backup
   */
  static Manifest parse(byte[] json, String expectedId) throws CorruptBackupException {
    JsonTree root;
    try {
      root = JsonTree.parse(json);
    } catch (JsonProcessingException e) {
      throw corrupt(expectedId, "metadata.json is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw corrupt(expectedId, "metadata.json is not readable JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw corrupt(expectedId, "metadata.json is not a JSON object", null);
    }
    String id = text(root, "backup_id", expectedId);
    if (!id.equals(expectedId)) {
      throw corrupt(
          expectedId,
          "metadata.json names backup '" + id + "', expected '" + expectedId + "'",
          null);
    }
    Instant createdAt;
    try {
      createdAt = OffsetDateTime.parse(text(root, "created_at", id)).toInstant();
    } catch (DateTimeParseException e) {
      throw corrupt(id, "created_at is not an RFC 3339 time: " + e.getParsedString(), e);
    }
    String sourceDir = text(root, "source_dir", id);
    long totalFiles = number(root, "total_files", id, Long.MAX_VALUE);
    long totalBytes = number(root, "total_bytes", id, Long.MAX_VALUE);
    long checksum = number(root, "checksum", id, 0xFFFFFFFFL);
    String version = text(root, "version", id);
    JsonTree type = root.get("backup_type");
    BackupType backupType;
    String base = null;
    if (type != null && type.isTextual() && type.textValue().equals("Full")) {
      backupType = BackupType.FULL;
    } else if (type != null
        && type.isObject()
        && type.size() == 1
        && type.get("Incremental") != null
        && type.get("Incremental").isObject()) {
      backupType = BackupType.INCREMENTAL;
      base = text(type.get("Incremental"), "base_backup_id", id);
      if (!BackupId.isValid(base)) {
        throw corrupt(id, "malformed base backup id in backup_type", null);
      }
    } else {
      throw corrupt(id, "backup_type is neither \"Full\" nor {\"Incremental\":{...}}", null);
    }
    JsonTree format = root.get("coffer_format");
    if (format == null) {
      BackupMetadata meta =
          new BackupMetadata(
              id,
              createdAt,
              sourceDir,
              totalFiles,
              totalBytes,
              backupType,
              base,
              Layout.NAME,
              version,
              Map.of());
      return new Manifest(meta, checksum, false, List.of(), List.of(), List.of());
    }
    if (!format.isInt() || format.intValue() != Manifest.FORMAT) {
      throw corrupt(id, "unsupported coffer_format " + format, null);
    }
    String provider = text(root, "provider", id);
    Map<String, String> labels = new TreeMap<>();
    JsonTree labelNode = root.get("labels");
    if (labelNode == null || !labelNode.isObject()) {
      throw corrupt(id, "labels is missing or not an object", null);
    }
    for (Map.Entry<String, JsonTree> e : labelNode.properties()) {
      if (!e.getValue().isTextual()) {
        throw corrupt(id, "label '" + e.getKey() + "' is not a string", null);
      }
      labels.put(e.getKey(), e.getValue().textValue());
    }
    Set<String> seen = new HashSet<>();
    List<String> directories = new ArrayList<>();
    for (JsonTree d : array(root, "directories", id)) {
      if (!d.isTextual()) {
        throw corrupt(id, "a directory entry is not a string", null);
      }
      directories.add(unique(seen, RelativePaths.checkStored(d.textValue(), id), id));
    }
    Set<String> known = new HashSet<>(directories);
    Map<String, Instant> directoryTimes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonTree> e : byDirectory(root, "directory_mtimes", known, id)) {
      if (!e.getValue().isTextual()) {
        throw corrupt(id, "the time of directory '" + e.getKey() + "' is not a string", null);
      }
      try {
        directoryTimes.put(e.getKey(), Times.parse(e.getValue().textValue()));
      } catch (DateTimeParseException bad) {
        throw corrupt(id, "directory '" + e.getKey() + "' has a malformed mtime", bad);
      }
    }
    Map<String, PosixAttributes> directoryAttributes = new LinkedHashMap<>();
    for (Map.Entry<String, JsonTree> e : byDirectory(root, "directory_attributes", known, id)) {
      if (!e.getValue().isObject() || e.getValue().get("mode") == null) {
        throw corrupt(
            id,
            "the attributes of directory '"
                + RelativePaths.printable(e.getKey())
                + "' are not an object with a mode",
            null);
      }
      directoryAttributes.put(e.getKey(), posix(e.getValue(), e.getKey(), id));
    }
    PosixAttributes rootAttributes = null;
    JsonTree rootNode = root.get("root_attributes");
    if (rootNode != null) {
      if (!rootNode.isObject() || rootNode.get("mode") == null) {
        throw corrupt(id, "'root_attributes' is not an object with a mode", null);
      }
      rootAttributes = posix(rootNode, ".", id);
    }
    List<BackupWarning> warnings = new ArrayList<>();
    JsonTree warningsNode = root.get("warnings");
    if (warningsNode != null) {
      for (JsonTree w : array(root, "warnings", id)) {
        if (!w.isObject()) {
          throw corrupt(id, "a warning is not an object", null);
        }
        String path = RelativePaths.checkStored(text(w, "path", id), id);
        String detail = text(w, "detail", id);
        String kind = text(w, "kind", id);
        // a kind from a newer version is information this one cannot name: left out, never an error
        if (Arrays.stream(BackupWarning.Kind.values()).anyMatch(k -> k.name().equals(kind))) {
          warnings.add(new BackupWarning(path, BackupWarning.Kind.valueOf(kind), detail));
        }
      }
    }
    List<FileEntry> files = new ArrayList<>();
    long sum = 0;
    for (JsonTree o : array(root, "files", id)) {
      if (!o.isObject()) {
        throw corrupt(id, "a file entry is not an object", null);
      }
      String path = unique(seen, RelativePaths.checkStored(text(o, "path", id), id), id);
      long size = number(o, "size", id, Long.MAX_VALUE);
      JsonTree linked = o.get("linked");
      if (linked == null || !linked.isBoolean()) {
        throw corrupt(id, "file entry '" + path + "' has no boolean 'linked'", null);
      }
      Instant mtime;
      try {
        mtime = Times.parse(text(o, "mtime", id));
      } catch (DateTimeParseException e) {
        throw corrupt(id, "file entry '" + path + "' has a malformed mtime", e);
      }
      files.add(
          new FileEntry(
              path,
              size,
              number(o, "crc32c", id, 0xFFFFFFFFL),
              number(o, "crc32", id, 0xFFFFFFFFL),
              mtime,
              linked.booleanValue(),
              posix(o, path, id)));
      sum += size;
      if (sum < 0) {
        throw corrupt(id, "file sizes overflow", null);
      }
    }
    List<Symlink> symlinks = new ArrayList<>();
    for (JsonTree o : array(root, "symlinks", id)) {
      if (!o.isObject()) {
        throw corrupt(id, "a symlink entry is not an object", null);
      }
      String path = unique(seen, RelativePaths.checkStored(text(o, "path", id), id), id);
      String target = text(o, "target", id);
      if (target.isEmpty()
          || target.indexOf('\0') >= 0
          || target.length() > RelativePaths.MAX_PATH_BYTES) {
        throw corrupt(id, "symlink '" + path + "' has a malformed target", null);
      }
      symlinks.add(new Symlink(path, target, posix(o, path, id)));
    }
    // Nothing may be stored below a file or a link: a restore would otherwise write through it.
    Set<String> leaves = new HashSet<>();
    files.forEach(e -> leaves.add(e.path()));
    symlinks.forEach(s -> leaves.add(s.path()));
    for (String p : seen) {
      for (String ancestor : RelativePaths.ancestors(p)) {
        if (leaves.contains(ancestor)) {
          throw new CorruptBackupException(
              "entry '"
                  + p
                  + "' of backup "
                  + id
                  + " lies below the file or link '"
                  + ancestor
                  + "'",
              p);
        }
      }
    }
    if (files.size() != totalFiles || sum != totalBytes) {
      throw corrupt(
          id,
          "totals ("
              + totalFiles
              + " files, "
              + totalBytes
              + " bytes) do not match the entries ("
              + files.size()
              + " files, "
              + sum
              + " bytes)",
          null);
    }
    BackupMetadata meta =
        new BackupMetadata(
            id,
            createdAt,
            sourceDir,
            totalFiles,
            totalBytes,
            backupType,
            base,
            provider,
            version,
            labels,
            warnings);
    return new Manifest(
        meta,
        checksum,
        true,
        files,
        directories,
        symlinks,
        directoryTimes,
        directoryAttributes,
        rootAttributes);
  }

  /**
   * The POSIX fields of an entry object, or null when it has none. The mode is four octal digits;
   * ids are whole numbers up to 2^31-1; names are checked as {@link PosixAttributes} checks them.
   */
  private static PosixAttributes posix(JsonTree o, String path, String id)
      throws CorruptBackupException {
    JsonTree mode = o.get("mode");
    if (mode == null) {
      if (o.has("uid") || o.has("gid") || o.has("owner") || o.has("group")) {
        throw corrupt(
            id, "entry '" + RelativePaths.printable(path) + "' has an owner but no mode", null);
      }
      return null;
    }
    if (!mode.isTextual() || !mode.textValue().matches("[0-7]{4}")) {
      throw corrupt(
          id,
          "entry '" + RelativePaths.printable(path) + "' has a mode that is not four octal digits",
          null);
    }
    int uid = o.has("uid") ? (int) number(o, "uid", id, Integer.MAX_VALUE) : -1;
    int gid = o.has("gid") ? (int) number(o, "gid", id, Integer.MAX_VALUE) : -1;
    String owner = o.has("owner") ? text(o, "owner", id) : null;
    String group = o.has("group") ? text(o, "group", id) : null;
    try {
      return new PosixAttributes(Integer.parseInt(mode.textValue(), 8), uid, gid, owner, group);
    } catch (IllegalArgumentException e) {
      throw corrupt(
          id,
          "entry '"
              + RelativePaths.printable(path)
              + "' has malformed attributes: "
              + e.getMessage(),
          e);
    }
  }

  private static String unique(Set<String> seen, String path, String id)
      throws CorruptBackupException {
    if (!seen.add(path)) {
      throw new CorruptBackupException("path '" + path + "' is listed twice in backup " + id, path);
    }
    return path;
  }

  /**
   * The fields of the optional object {@code field} (none when it is absent), each checked to name
   * one of the {@code directories} recorded.
   */
  private static Set<Map.Entry<String, JsonTree>> byDirectory(
      JsonTree root, String field, Set<String> directories, String id)
      throws CorruptBackupException {
    JsonTree node = root.get(field);
    if (node == null) {
      return Set.of();
    }
    if (!node.isObject()) {
      throw corrupt(id, "'" + field + "' is not an object", null);
    }
    for (Map.Entry<String, JsonTree> e : node.properties()) {
      if (!directories.contains(e.getKey())) {
        throw corrupt(
            id,
            "'"
                + field
                + "' names '"
                + RelativePaths.printable(e.getKey())
                + "', which is not a recorded directory",
            null);
      }
    }
    return node.properties();
  }

  private static JsonTree array(JsonTree parent, String field, String id)
      throws CorruptBackupException {
    JsonTree n = parent.get(field);
    if (n == null || !n.isArray()) {
      throw corrupt(id, "field '" + field + "' is missing or not an array", null);
    }
    return n;
  }

  private static String text(JsonTree parent, String field, String id)
      throws CorruptBackupException {
    JsonTree n = parent.get(field);
    if (n == null || !n.isTextual()) {
      throw corrupt(id, "field '" + field + "' is missing or not a string", null);
    }
    return n.textValue();
  }

  private static long number(JsonTree parent, String field, String id, long max)
      throws CorruptBackupException {
    JsonTree n = parent.get(field);
    if (n == null
        || !n.isIntegralNumber()
        || !n.canConvertToLong()
        || n.longValue() < 0
        || n.longValue() > max) {
      throw corrupt(
          id, "field '" + field + "' is missing or not a whole number from 0 to " + max, null);
    }
    return n.longValue();
  }

  private static CorruptBackupException corrupt(String id, String what, Throwable cause) {
    return new CorruptBackupException("backup " + id + ": " + what, null, cause);
  }
}
