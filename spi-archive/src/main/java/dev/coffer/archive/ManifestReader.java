package dev.coffer.archive;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a manifest's JSON with jackson-core's streaming parser into a {@link Manifest}, as strictly
 * as binding it did: unknown fields, duplicate keys, missing fields (all but {@code links}, {@code
 * posix} and {@code warnings}, here and in every nested object), wrong types (also a string for a
 * number, a fraction or an out-of-range number for an integer), trailing tokens and oversized input
 * are refused. A JSON {@code null} is read as null where a string, list, map or object is expected
 * ({@link Manifest#validate} decides), never for a number.
 *
 * <p>It replaces jackson-databind on the read path because a cold {@code coffer list} spent ~0.25 s
 * of its ~0.85 s of CPU loading and setting up databind for a few KB of JSON (docs/benchmarks.md,
 * "Cold start ... Session 7"). Not thread-safe per call; the factory is shared.
 */
final class ManifestReader {

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxDocumentLength(Format.MAX_MANIFEST_BYTES)
                  .maxStringLength(Format.MAX_PATH_BYTES * 2)
                  .maxNestingDepth(8)
                  .build())
          .build();

  /** A manifest that does not have the expected shape; the message names no value from it. */
  static final class MalformedManifestException extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedManifestException(String message) {
      super(message);
    }
  }

  private ManifestReader() {}

  /**
   * Parses one manifest.
   *
   * @throws IOException if the bytes are not JSON ({@code JsonProcessingException}) or not a
   *     manifest's shape ({@link MalformedManifestException})
   */
  static Manifest read(byte[] json) throws IOException {
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw malformed("the manifest is not a JSON object");
      }
      Manifest m = manifest(p);
      if (p.nextToken() != null) {
        throw malformed("content after the manifest");
      }
      return m;
    }
  }

  private static Manifest manifest(JsonParser p) throws IOException {
    String format = null;
    String backupId = null;
    String createdAt = null;
    String type = null;
    String baseBackupId = null;
    String baseArchiveSha256 = null;
    String sourceDir = null;
    String provider = null;
    String version = null;
    Map<String, String> labels = null;
    long totalFiles = 0;
    long totalBytes = 0;
    List<String> directories = null;
    List<Manifest.FileEntry> files = null;
    List<String> deleted = null;
    List<Manifest.Link> links = null;
    Map<String, Manifest.Posix> posix = null;
    List<Manifest.Warning> warnings = null;
    Fields seen = new Fields("manifest", 15);
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "format" -> format = seen.string(p, 0, name);
        case "backup_id" -> backupId = seen.string(p, 1, name);
        case "created_at" -> createdAt = seen.string(p, 2, name);
        case "type" -> type = seen.string(p, 3, name);
        case "base_backup_id" -> baseBackupId = seen.string(p, 4, name);
        case "base_archive_sha256" -> baseArchiveSha256 = seen.string(p, 5, name);
        case "source_dir" -> sourceDir = seen.string(p, 6, name);
        case "provider" -> provider = seen.string(p, 7, name);
        case "version" -> version = seen.string(p, 8, name);
        case "labels" -> {
          seen.mark(9);
          labels = stringMap(p, name);
        }
        case "total_files" ->
            totalFiles = seen.integer(p, 10, name, Long.MIN_VALUE, Long.MAX_VALUE);
        case "total_bytes" ->
            totalBytes = seen.integer(p, 11, name, Long.MIN_VALUE, Long.MAX_VALUE);
        case "directories" -> {
          seen.mark(12);
          directories = stringList(p, name);
        }
        case "files" -> {
          seen.mark(13);
          files = objects(p, name, ManifestReader::fileEntry);
        }
        case "deleted" -> {
          seen.mark(14);
          deleted = stringList(p, name);
        }
        case "links" -> links = objects(p, name, ManifestReader::link);
        case "posix" -> posix = posixMap(p, name);
        case "warnings" -> warnings = objects(p, name, ManifestReader::warning);
        default -> throw malformed("unknown field in the manifest");
      }
    }
    seen.complete(p);
    return new Manifest(
        format,
        backupId,
        createdAt,
        type,
        baseBackupId,
        baseArchiveSha256,
        sourceDir,
        provider,
        version,
        labels,
        totalFiles,
        totalBytes,
        directories,
        files,
        deleted,
        links,
        posix,
        warnings);
  }

  private static Manifest.FileEntry fileEntry(JsonParser p) throws IOException {
    String path = null;
    long size = 0;
    long mtimeMillis = 0;
    String sha256 = null;
    String archive = null;
    long offset = 0;
    Fields seen = new Fields("file entry", 6);
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "path" -> path = seen.string(p, 0, name);
        case "size" -> size = seen.integer(p, 1, name, Long.MIN_VALUE, Long.MAX_VALUE);
        case "mtime_millis" ->
            mtimeMillis = seen.integer(p, 2, name, Long.MIN_VALUE, Long.MAX_VALUE);
        case "sha256" -> sha256 = seen.string(p, 3, name);
        case "archive" -> archive = seen.string(p, 4, name);
        case "offset" -> offset = seen.integer(p, 5, name, Long.MIN_VALUE, Long.MAX_VALUE);
        default -> throw malformed("unknown field in a file entry");
      }
    }
    seen.complete(p);
    return new Manifest.FileEntry(path, size, mtimeMillis, sha256, archive, offset);
  }

  private static Manifest.Link link(JsonParser p) throws IOException {
    String path = null;
    String target = null;
    Fields seen = new Fields("link", 2);
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "path" -> path = seen.string(p, 0, name);
        case "target" -> target = seen.string(p, 1, name);
        default -> throw malformed("unknown field in a link");
      }
    }
    seen.complete(p);
    return new Manifest.Link(path, target);
  }

  private static Manifest.Warning warning(JsonParser p) throws IOException {
    String path = null;
    String kind = null;
    String detail = null;
    Fields seen = new Fields("warning", 3);
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "path" -> path = seen.string(p, 0, name);
        case "kind" -> kind = seen.string(p, 1, name);
        case "detail" -> detail = seen.string(p, 2, name);
        default -> throw malformed("unknown field in a warning");
      }
    }
    seen.complete(p);
    return new Manifest.Warning(path, kind, detail);
  }

  private static Manifest.Posix posix(JsonParser p) throws IOException {
    String mode = null;
    int uid = 0;
    int gid = 0;
    String owner = null;
    String group = null;
    Fields seen = new Fields("posix attributes", 5);
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      switch (name) {
        case "mode" -> mode = seen.string(p, 0, name);
        case "uid" -> uid = (int) seen.integer(p, 1, name, Integer.MIN_VALUE, Integer.MAX_VALUE);
        case "gid" -> gid = (int) seen.integer(p, 2, name, Integer.MIN_VALUE, Integer.MAX_VALUE);
        case "owner" -> owner = seen.string(p, 3, name);
        case "group" -> group = seen.string(p, 4, name);
        default -> throw malformed("unknown field in posix attributes");
      }
    }
    seen.complete(p);
    return new Manifest.Posix(mode, uid, gid, owner, group);
  }

  /** Reads one object of a list, the parser on its START_OBJECT. */
  @FunctionalInterface
  private interface ObjectReader<T> {
    T read(JsonParser p) throws IOException;
  }

  /** An array of objects (null elements kept), or null; the parser on its first token. */
  private static <T> List<T> objects(JsonParser p, String field, ObjectReader<T> element)
      throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw malformed("field '" + field + "' is not an array");
    }
    List<T> list = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == JsonToken.VALUE_NULL) {
        list.add(null);
      } else if (t == JsonToken.START_OBJECT) {
        list.add(element.read(p));
      } else {
        throw malformed("an element of '" + field + "' is not an object");
      }
    }
    return list;
  }

  private static List<String> stringList(JsonParser p, String field) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw malformed("field '" + field + "' is not an array");
    }
    List<String> list = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      list.add(stringOrNull(p, field));
    }
    return list;
  }

  private static Map<String, String> stringMap(JsonParser p, String field) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw malformed("field '" + field + "' is not an object");
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      p.nextToken();
      map.put(name, stringOrNull(p, field));
    }
    return map;
  }

  private static Map<String, Manifest.Posix> posixMap(JsonParser p, String field)
      throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw malformed("field '" + field + "' is not an object");
    }
    Map<String, Manifest.Posix> map = new LinkedHashMap<>();
    for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        map.put(name, null);
      } else if (t == JsonToken.START_OBJECT) {
        map.put(name, posix(p));
      } else {
        throw malformed("a value of '" + field + "' is not an object");
      }
    }
    return map;
  }

  private static String stringOrNull(JsonParser p, String field) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING -> p.getText();
      case VALUE_NULL -> null;
      default -> throw malformed("a value of '" + field + "' is not a string");
    };
  }

  private static MalformedManifestException malformed(String what) {
    return new MalformedManifestException(what);
  }

  /** The fields of one object met so far: each at most once, and all of them by its end. */
  private static final class Fields {
    private final String object;
    private final int all;
    private int seen;

    Fields(String object, int count) {
      this.object = object;
      this.all = (1 << count) - 1;
    }

    void mark(int bit) {
      seen |= 1 << bit;
    }

    String string(JsonParser p, int bit, String field) throws IOException {
      mark(bit);
      return stringOrNull(p, field);
    }

    long integer(JsonParser p, int bit, String field, long min, long max) throws IOException {
      mark(bit);
      if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
          || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw malformed("field '" + field + "' of a " + object + " is not a whole number");
      }
      long v = p.getLongValue();
      if (v < min || v > max) {
        throw malformed("field '" + field + "' of a " + object + " is out of range");
      }
      return v;
    }

    /** Checks that the object ended (the parser on its END_OBJECT) with every field present. */
    void complete(JsonParser p) throws IOException {
      if (p.currentToken() != JsonToken.END_OBJECT) {
        throw malformed("a " + object + " is not a JSON object");
      }
      if (seen != all) {
        throw malformed("a " + object + " lacks a required field");
      }
    }
  }
}
